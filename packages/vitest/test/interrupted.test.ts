import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import type { QtestsReport } from '../src/report/schema.js'

const here = path.dirname(fileURLToPath(import.meta.url))

it('writes the report when the run is interrupted with SIGINT', async () => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'qtests-interrupted-'))
  const child = spawn(process.execPath, [path.resolve(here, '../node_modules/vitest/vitest.mjs'), 'run'], {
    cwd: path.join(here, 'fixtures', 'interrupted'),
    env: { ...process.env, QTESTS_REPORT_DIR: out, NO_COLOR: '1' },
  })
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk
    if (output.includes('SLOW TEST STARTED') && child.exitCode === null) child.kill('SIGINT')
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  await new Promise((resolve) => child.on('close', resolve))

  expect(output).toContain(`qtests  run interrupted; partial report: ${path.join(out, 'report.json')}`)
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as QtestsReport
  expect(report.outcome).toBe('interrupted')
  expect(report.files.map((file) => file.file)).toEqual(['test/slow.test.mjs'])
  const tests = report.files[0]!.tests
  expect(tests.map((test) => test.name)).toEqual(['quick 1', 'quick 2', 'quick 3', 'quick 4', 'waits for the signal'])
  expect(tests.at(-1)!.verdict).toBe('unknown')
})

it('stops the repeat run at once on SIGINT, leaves no process behind, and writes what it measured', async () => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'qtests-interrupted-hunt-'))
  const child = spawn(process.execPath, [path.resolve(here, '../node_modules/vitest/vitest.mjs'), 'run'], {
    cwd: path.join(here, 'fixtures', 'interrupted'),
    env: { ...process.env, QTESTS_REPORT_DIR: out, QTESTS_LEAKS: 'hunt', FIXTURE_STEADY: '1', NO_COLOR: '1' },
  })
  let output = ''
  let interruptedAt = 0
  const collect = (chunk: Buffer) => {
    output += chunk
    if (!interruptedAt && output.includes('qtests  repeating')) {
      interruptedAt = Date.now()
      // Well into the repeat run: its workers are busy with the 100 ms tests.
      setTimeout(() => child.kill('SIGINT'), 3000)
    }
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const code = await new Promise((resolve) => child.on('close', resolve))
  const stoppedMs = Date.now() - interruptedAt - 3000
  expect(code, output).not.toBe(0)
  expect(stoppedMs, output).toBeLessThan(6000)
  // Nothing of the repeat run is left: no process has this run's report directory in its environment.
  await new Promise((resolve) => setTimeout(resolve, 500))
  expect(processesWith(out)).toEqual([])
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as QtestsReport
  expect(report.outcome).toBe('interrupted')
  expect(report.files[0]!.tests.some((test) => test.verdict === 'unknown' && /interrupted/.test(test.reason))).toBe(true)
}, 120_000)

/** Pids of live processes whose environment contains `marker`. */
function processesWith(marker: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) found.push(Number(entry))
    } catch {
      // gone, or not ours to read
    }
  }
  return found
}

import { spawn } from 'node:child_process'
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

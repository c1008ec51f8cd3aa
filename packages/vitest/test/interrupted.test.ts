import { mkdtemp, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { processesWith, spawnVitest } from '@qtests/test-utils'
import { expect, it } from 'vitest'
import type { QtestsReport } from '../src/report/schema.js'
import { NOT_FINISHED } from '../src/report/verdicts.js'
import { fixtureCommand } from './runFixture.js'

/** Starts `vitest run` on the interrupted fixture and sends SIGINT once `ready` is true of its output. */
async function interrupt(env: Record<string, string>, ready: (output: string) => boolean, delayMs = 0) {
  const out = await mkdtemp(path.join(os.tmpdir(), 'qtests-interrupted-'))
  const command = await fixtureCommand('interrupted')
  const vitest = spawnVitest(command.cwd, ['run'], {
    node: command.node,
    vitestBin: command.vitestBin,
    env: { ...command.env, QTESTS_REPORT_DIR: out, ...env },
  })
  let signalledAt = 0
  const watching = setInterval(() => {
    if (signalledAt || !ready(vitest.stdout() + vitest.stderr())) return
    signalledAt = Date.now() + delayMs
    setTimeout(() => process.kill(vitest.pid, 'SIGINT'), delayMs)
  }, 50)
  const code = await vitest.closed
  clearInterval(watching)
  return { out, code, output: vitest.stdout() + vitest.stderr(), stoppedMs: Date.now() - signalledAt }
}

it('writes the report when the run is interrupted with SIGINT', async () => {
  const { out, output } = await interrupt({}, (text) => text.includes('SLOW TEST STARTED'))
  expect(output).toContain(`qtests  run interrupted; partial report: ${path.join(out, 'report.json')}`)
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as QtestsReport
  expect(report.outcome).toBe('interrupted')
  expect(report.files.map((file) => file.file)).toEqual(['test/slow.test.mjs'])
  const tests = report.files[0]!.tests
  expect(tests.map((test) => test.name)).toEqual(['quick 1', 'quick 2', 'quick 3', 'quick 4', 'waits for the signal'])
  expect(tests.at(-1)!.verdict).toBe('unknown')
  // It was running when the signal came: not a skipped test.
  expect(tests.at(-1)!.reason).toBe(NOT_FINISHED)
  // What happened, not advice for a file that had too few tests.
  expect(report.files[0]!.reason).not.toMatch(/fewer than|run with hunt/)
}, 120_000)

it('stops the repeat run at once on SIGINT, leaves no process behind, and writes what it measured', async () => {
  // Well into the repeat run: its workers are busy with the 100 ms tests.
  const { out, code, output, stoppedMs } = await interrupt(
    { QTESTS_LEAKS: 'hunt', FIXTURE_STEADY: '1' },
    (text) => text.includes('qtests  repeating'),
    3000,
  )
  expect(code, output).not.toBe(0)
  expect(stoppedMs, output).toBeLessThan(6000)
  // Nothing of the repeat run is left: no process has this run's report directory in its environment.
  await new Promise((resolve) => setTimeout(resolve, 500))
  expect(processesWith(out)).toEqual([])
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as QtestsReport
  expect(report.outcome).toBe('interrupted')
  expect(report.files[0]!.tests.some((test) => test.verdict === 'unknown' && /interrupted/.test(test.reason))).toBe(
    true,
  )
}, 120_000)

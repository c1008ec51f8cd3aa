import { rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { RepeatJob } from '../shared/repeatRun.js'
import { startRepeatRun } from './startRepeatRun.js'

// The child never gets far here (the limit or the signal stops it within milliseconds): what is tested is how
// the result says why the repeat run ended, which the report turns into each unreached file's reason.
const job: RepeatJob = {
  purpose: 'confirm',
  vitestNodeUrl: 'file:///nowhere/vitest-node.js',
  root: os.tmpdir(),
  configFile: false,
  cliOptions: {},
  files: [{ project: '', moduleId: path.join(os.tmpdir(), 'never.test.ts') }],
  iterations: 12,
  maxRuns: 100,
  confirmMaxMs: 1000,
  stopAtFirstLeak: true,
}
const logFile = path.join(os.tmpdir(), `qtests-repeat-run-limit-${process.pid}.log`)

describe('startRepeatRun', () => {
  afterAll(() => rmSync(logFile, { force: true }))

  it('says it ran out of time when its time limit stopped it', async () => {
    const result = await startRepeatRun({ job, logFile, timeLimitMs: 1, timeLimitSource: 'leaks.confirmBudget' }).result
    expect(result.complete).toBe(false)
    expect(result.timedOut).toBe(true)
    expect(result.ended).toBe('it ran out of its 0.0 s (leaks.confirmBudget)')
  })

  it('does not say so when it was stopped for another reason', async () => {
    const stop = new AbortController()
    stop.abort('it was interrupted')
    const result = await startRepeatRun({ job, logFile, signal: stop.signal, timeLimitMs: 60_000 }).result
    expect(result.timedOut).toBeUndefined()
    expect(result.ended).toBe('it was interrupted')
  })
})

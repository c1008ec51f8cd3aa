import { rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { RepeatJob } from '../src/shared/repeatRun.js'

// The built plugin, as the repeat run's child is a file of `dist` (imported at run time: typechecking needs no build).
const { startRepeatRun } = (await import(
  new URL('../dist/repeatRun/startRepeatRun.js', import.meta.url).href
)) as typeof import('../src/repeatRun/startRepeatRun.js')

// The child never gets far here (the limit or the signal stops it as soon as it can): what is tested is how the
// result says why the repeat run ended, which the report turns into each unreached file's reason.
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

  it('says it ran out of time when its time limit, counted from when its Vitest is ready, stopped it', async () => {
    // A real Vitest, with nothing to run but a file that does not exist: the limit stops it once it is created.
    const real = { ...job, vitestNodeUrl: import.meta.resolve('vitest/node') }
    const started = Date.now()
    const handle = startRepeatRun({ job: real, logFile, timeLimit: { ms: 1, source: 'leaks.confirmBudget' } })
    const result = await handle.result
    expect(result.complete).toBe(false)
    expect(result.timedOut, result.ended).toBe(true)
    expect(result.ended).toBe('it ran out of its 1 ms (leaks.confirmBudget)')
    // Creating Vitest (importing it, loading Vite) takes far longer than the 1 ms limit.
    expect(Date.now() - started).toBeGreaterThan(100)
  })

  it('does not count a Vitest that never becomes ready as out of time', async () => {
    const result = await startRepeatRun({ job, logFile, timeLimit: { ms: 1 } }).result
    expect(result.timedOut).toBeUndefined()
    expect(result.ended).toMatch(/^it failed: .*nowhere/)
  })

  it('does not say so when it was stopped for another reason', async () => {
    const stop = new AbortController()
    stop.abort('it was interrupted')
    const result = await startRepeatRun({ job, logFile, signal: stop.signal, timeLimit: { ms: 60_000 } }).result
    expect(result.timedOut).toBeUndefined()
    expect(result.ended).toBe('it was interrupted')
  })
})

import { vitestMajor } from '@qtests/test-utils'
import { describe, expect, it } from 'vitest'
import { runFixture } from './runFixture.js'

// Each run of these tests outlasts Vitest's task-update interval, so Vitest sends updates to the main
// process from inside the repeats; until their answers are read, each one stays in the worker's memory.
// Unanswered, they made a clean test look like it leaked ~1–3 KB per run (seen on a loaded CI machine).
describe.each(['forks', 'threads'])('hunt mode on slow synchronous tests, pool %s', (pool) => {
  it("calls them clean: Vitest's own messages are not counted as the test's growth", async () => {
    const run = await runFixture('hunt-slow', { FIXTURE_POOL: pool })
    expect(run.code, run.output).toBe(0)
    const tests = run.report?.files[0]?.tests ?? []
    expect(tests.map((t) => t.name)).toEqual([
      'blocks for a while and keeps nothing',
      'blocks for a while again and keeps nothing',
    ])
    for (const t of tests) {
      expect(t.iterations).toBe(24)
      expect(t.verdict, `${t.name}: ${t.reason}`).toBe('clean')
    }
  }, 60_000)
})

// Found on public suites: `vi.spyOn(console, 'error')` restored with the spy's own `mockRestore()` was a leak of
// 4.3 KB/iteration with 1.2 KB of it put on the mock registry: Vitest 4.1 also keeps the spy through its restorer.
describe('hunt mode on a test that spies on console.error and restores the spy', () => {
  it('calls it clean and puts what Vitest kept on its mocks', async () => {
    const run = await runFixture('hunt-tooling', {})
    expect(run.code, run.output).toBe(0)
    const tests = run.report?.files[0]?.tests ?? []
    expect(tests).toHaveLength(3)
    for (const t of tests) expect(t.verdict, `${t.name}: ${t.reason}`).toBe('clean')
    if (vitestMajor() === '4') {
      for (const t of tests.filter((t) => t.name.includes('console.error'))) {
        expect(
          t.tooling?.map((hold) => hold.holder),
          t.name,
        ).toEqual(['vitest-mocks'])
        expect(t.tooling?.[0]?.bytesPerIteration, t.name).toBeGreaterThan(2048)
      }
    }
  }, 60_000)
})

// Found on a public suite (React in development mode on jsdom): a test grew 1.5 KiB a run for 400 runs, all of it
// what V8 kept for optimized code; with V8's optimizing compilers off the growth stopped. A leak does not stop.
describe.each(['forks', 'threads'])('hunt mode on growth that exists only while V8 optimizes, pool %s', (pool) => {
  it('calls it compiled code, not a leak, and still finds the leak beside it', async () => {
    const run = await runFixture('hunt-compiled-code', { FIXTURE_POOL: pool })
    expect(run.code, run.output).toBe(0)
    const [optimized, leak] = run.report?.files[0]?.tests ?? []
    expect(optimized?.verdict, optimized?.reason).toBe('clean')
    expect(optimized?.reason).toMatch(/with V8's optimizing compilers off .*compiled code, not a leak/)
    expect(leak?.verdict, leak?.reason).toBe('leak')
    expect(leak?.reason).toMatch(/with V8's optimizing compilers off/)
    expect(leak?.bytesPerIteration).toBeGreaterThan(3000)
  }, 120_000)
})

// Found on a public suite (jotai): a file saved console.warn while it was collected and put it back in an afterAll,
// so later tests logged through Node's original console; with the heap sampler's inspector session connected, V8
// kept every message with its arguments (an Error and its stack: 7.6 KiB a run, called a leak).
describe.each(['forks', 'threads'])('hunt mode on tests that log through the original console, pool %s', (pool) => {
  it("calls them clean: what the inspector keeps of console messages is not the test's", async () => {
    const run = await runFixture('hunt-console', { FIXTURE_POOL: pool })
    expect(run.code, run.output).toBe(0)
    const tests = run.report?.files[0]?.tests ?? []
    expect(tests).toHaveLength(3)
    for (const t of tests) expect(t.verdict, `${t.name}: ${t.reason}`).toBe('clean')
  }, 120_000)
})

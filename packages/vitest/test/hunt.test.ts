import { describe, expect, it } from 'vitest'
import { runFixture } from './runFixture.js'

// Each run of these tests outlasts Vitest's task-update interval, so Vitest sends updates to the main
// process from inside the repeats; until their answers are read, each one stays in the worker's memory.
// Unanswered, they made a clean test look like it leaked ~1–3 KB per run (seen on a loaded CI machine).
describe.each(['forks', 'threads'])('hunt mode on slow synchronous tests, pool %s', (pool) => {
  it('calls them clean: Vitest\'s own messages are not counted as the test\'s growth', async () => {
    const run = await runFixture('hunt-slow', { FIXTURE_POOL: pool })
    expect(run.code, run.output).toBe(0)
    const tests = run.report?.files[0]?.tests ?? []
    expect(tests.map((t) => t.name)).toEqual(['blocks for a while and keeps nothing', 'blocks for a while again and keeps nothing'])
    for (const t of tests) {
      expect(t.iterations).toBe(24)
      expect(t.verdict, `${t.name}: ${t.reason}`).toBe('clean')
    }
  }, 60_000)
})

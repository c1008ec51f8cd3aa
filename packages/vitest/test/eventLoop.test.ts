import { expect, it } from 'vitest'
import { configWith, readReport, runVitestIn, tempProject } from './tempProject.js'

// What a user opens the report's file table for: which test blocked the event loop, and for how long. Two tests
// spin synchronously (250 and 120 ms); the others are quick.
const spinning = `import { expect, it } from 'vitest'
const spin = (ms) => { const until = performance.now() + ms; while (performance.now() < until) {} }
for (let i = 0; i < 4; i++) it('adds ' + i, () => expect(i + 1).toBe(1 + i))
it('spins for 250 ms', () => spin(250))
it('spins for 120 ms', () => spin(120))
`

// Hunt reads them in the user's own run: the repeat run's runs of a test are not what the user's run does.
it.each(['measure', 'hunt'])(
  "names the tests behind a file's longest event-loop stalls, longest first, in report.json (%s)",
  async (mode) => {
    const dir = tempProject({
      'vitest.config.mjs': configWith(`{ workers: { adaptive: false }, leaks: { mode: '${mode}', iterations: 8 } }`),
      'test/spinning.test.mjs': spinning,
    })
    const run = await runVitestIn(dir, ['run'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const report = readReport(dir)
    expect(report.mode).toBe(mode)
    const loop = report.files[0]!.eventLoop!
    expect(loop.test).toBe('spins for 250 ms')
    expect(loop.maxDelayMs).toBeGreaterThanOrEqual(200)
    expect(loop.stalls![0]).toEqual({ ms: loop.maxDelayMs, test: 'spins for 250 ms' })
    // A loaded machine adds stalls of its own, but none as long as a test that spins for 120 ms.
    expect(loop.stalls!.find((stall) => stall.test === 'spins for 120 ms')?.ms).toBeGreaterThanOrEqual(90)
    expect(loop.stalls!.length).toBeLessThanOrEqual(3)
  },
  120_000,
)

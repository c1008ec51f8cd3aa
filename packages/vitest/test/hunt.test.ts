import { createRequire } from 'node:module'
import { vitestMajor } from '@qtests/test-utils'
import { describe, expect, it } from 'vitest'
import { runFixture } from './runFixture.js'
import { configWith, passingFile, readReport, runVitestIn, tempProject } from './tempProject.js'

/** Hunt with the fewest iterations it allows, Vitest's own pool: enough to tell a leak from a clean test. */
const QUICK_HUNT = "{ leaks: { mode: 'hunt', iterations: 8 }, workers: { adaptive: false } }"

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
    // The first test also warms V8 up (~1 KB a run for its first dozen runs, most of it as V8 compiles; slow tests get
    // few warm-up runs): now and then that earns it a confirming window before it levels off. The warm second test
    // needs none.
    const [first, second] = tests
    expect(first?.iterations).toBeGreaterThanOrEqual(24)
    expect(second?.iterations).toBe(24)
    for (const t of tests) expect(t.verdict, `${t.name}: ${t.reason}`).toBe('clean')
  }, 60_000)
})

// Found on public suites: `vi.spyOn(console, 'error')` restored with the spy's own `mockRestore()` was a leak of
// 4.3 KB/iteration with 1.2 KB of it put on the mock registry: Vitest 4.1 also keeps the spy through its restorer.
describe('hunt mode on tests whose mocks Vitest keeps (a restored console.error spy, a mock never reset)', () => {
  it('calls them clean and puts what Vitest kept on its mocks', async () => {
    const run = await runFixture('hunt-tooling', {})
    expect(run.code, run.output).toBe(0)
    const tests = run.report?.files[0]?.tests ?? []
    expect(tests).toHaveLength(4)
    for (const t of tests) expect(t.verdict, `${t.name}: ${t.reason}`).toBe('clean')
    if (vitestMajor() === '4') {
      const held = tests.filter((t) => t.name !== 'keeps nothing')
      for (const t of held) {
        expect(
          t.tooling?.map((hold) => hold.holder),
          t.name,
        ).toEqual(['vitest-mocks'])
        expect(t.tooling?.[0]?.bytesPerIteration, t.name).toBeGreaterThan(0)
      }
      // A restored spy holds ~4 KB, read mostly at 1–9 KB a run; the mock that keeps its calls holds 20 KB a run, and half of
      // it leaves room for one of its sized runs read as 0.
      expect(held.at(-1)?.tooling?.[0]?.bytesPerIteration).toBeGreaterThan(10_000)
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

// Found on a public suite (h3, typecheck on): hunt repeated a `.test-d.ts` file in a worker, where it had never run,
// and called it `clean` from runs that failed. tsc checks such a file; no worker runs it, so there is nothing to hunt.
describe('hunt mode in a project with typecheck on', () => {
  it('leaves the type-checked file out of the repeat run and says why it is unknown', async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
    const dir = tempProject({
      'vitest.config.mjs': configWith(
        QUICK_HUNT,
        `{ typecheck: { enabled: true, checker: ${JSON.stringify(tsc)}, include: ['test/**/*.test-d.ts'] } }`,
      ),
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          module: 'esnext',
          moduleResolution: 'bundler',
          target: 'es2022',
        },
        include: ['test'],
      }),
      'test/a.test.mjs': passingFile,
      // At runtime `undefined.length` throws: a repeat that ran it would fail.
      'test/types.test-d.ts': `import { expectTypeOf, it } from 'vitest'
declare const text: string
it('types a length', () => { expectTypeOf(text.length).toEqualTypeOf<number>() })
`,
    })
    const run = await runVitestIn(dir, ['run'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const report = readReport(dir)
    const types = report.files.find((file) => file.file.endsWith('types.test-d.ts'))
    expect(types?.verdict, types?.reason).toBe('unknown')
    expect(types?.reason).toMatch(/type-checked only/)
    for (const test of types?.tests ?? []) expect(test.iterations, test.name).toBe(0)
    const runtime = report.files.find((file) => file.file.endsWith('a.test.mjs'))
    expect(runtime?.verdict, runtime?.reason).toBe('clean')
  }, 120_000)
})

// Found on a public suite (pinia, happy-dom): every file's probes failed at its start ("The eventTargets argument
// must be an instance of EventEmitter or EventTarget"): happy-dom puts its own AbortController on the global.
describe('hunt mode in a happy-dom environment', () => {
  it("measures every test: the DOM's own AbortSignal is no obstacle", async () => {
    const dir = tempProject({
      'vitest.config.mjs': configWith(QUICK_HUNT, "{ environment: 'happy-dom' }"),
      'test/dom.test.mjs': `import { expect, it } from 'vitest'
const kept = []
it('renders a list', () => {
  const list = document.createElement('ul')
  for (let i = 0; i < 10; i++) list.append(document.createElement('li'))
  expect(list.children.length).toBe(10)
})
it('keeps every node it renders', () => {
  const node = document.createElement('div')
  node.textContent = 'x'.repeat(20000) + kept.length
  kept.push(node)
  expect(kept.length).toBeGreaterThan(0)
})
it('reads its signal', ({ signal }) => expect(signal.aborted).toBe(false))
`,
    })
    const run = await runVitestIn(dir, ['run'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const report = readReport(dir)
    const file = report.files[0]
    expect(file?.probe?.error, file?.reason).toBeUndefined()
    const verdicts = Object.fromEntries((file?.tests ?? []).map((test) => [test.name, test.verdict]))
    expect(verdicts, file?.reason).toEqual({
      'renders a list': 'clean',
      'keeps every node it renders': 'leak',
      'reads its signal': 'clean',
    })
  }, 120_000)
})

// Seen on public suites: query-core's cancelled fetch holds its query in a 5-minute GC timer each run, and a mocked
// request of @mswjs/interceptors leaves its socket open; allocation sites say where, not what holds it.
// A leak that leaves a timer or socket open is looked at again after 6 s with nothing running (of a file's tests that
// leave the same open, only the first): memory let go by then (a debounce timer, a keep-alive connection's idle
// timeout) was held for a while.
describe('hunt mode on a test whose runs each leave a timer pending', () => {
  it('says each run left a Timeout open, waits once before calling such tests leaks, and calls memory a timer lets go of within 6 s clean', async () => {
    const dir = tempProject({
      'vitest.config.mjs': configWith(QUICK_HUNT),
      'test/timers.test.mjs': `import { afterAll, expect, it } from 'vitest'
const pending = []
afterAll(() => pending.forEach(clearTimeout))
it('schedules a cleanup in ten minutes', () => {
  const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i }))
  pending.push(setTimeout(() => rows.length, 600_000))
  expect(pending.length).toBeGreaterThan(0)
})
it('waits for a short timer', async () => {
  await new Promise((resolve) => setTimeout(resolve, 1))
  expect(true).toBe(true)
})
it('schedules another cleanup in ten minutes', () => {
  const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i }))
  pending.push(setTimeout(() => rows.length, 600_000))
  expect(pending.length).toBeGreaterThan(0)
})
// a pool that keeps each request's buffer until 3 s without one (as a keep-alive connection is closed)
const held = []
let idle
it('sends a request on a pooled connection', () => {
  held.push(new Array(8000).fill(held.length))
  clearTimeout(idle)
  idle = setTimeout(() => { held.length = 0 }, 3000)
  expect(held.length).toBeGreaterThan(0)
})
`,
    })
    const run = await runVitestIn(dir, ['run'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const [kept, fired, keptToo, pooled] = readReport(dir).files[0]?.tests ?? []
    expect(kept?.verdict, kept?.reason).toBe('leak')
    expect(kept?.openPerRun?.Timeout, kept?.reason).toBeCloseTo(1, 1)
    expect(kept?.reason).toMatch(/each run left 1 Timeout open/)
    expect(kept?.reason).toMatch(/still held after 6 s with nothing running/)
    expect(run.stdout + run.stderr).toMatch(/each run left open: 1 Timeout/)
    expect(fired?.verdict, fired?.reason).toBe('clean')
    expect(fired?.openPerRun).toBeUndefined()
    // the same pattern as the first test's: no second wait
    expect(keptToo?.verdict, keptToo?.reason).toBe('leak')
    expect(keptToo?.reason).not.toMatch(/still held/)
    expect(pooled?.verdict, pooled?.reason).toBe('clean')
    expect(pooled?.reason).toMatch(/gave back .* within 6 s with nothing running: memory held for a while/)
  }, 120_000)
})

// Seen on @mswjs/interceptors' suite: a test that adds a listener per run and never removes it hung from its second
// run on; each run took the whole timeout, and the 480 runs hunt plans would have taken 40 minutes.
describe('hunt mode on a test whose repeats time out', () => {
  it('stops its repeats after two runs that time out, calls it unknown and says why', async () => {
    const dir = tempProject({
      'vitest.config.mjs': configWith(QUICK_HUNT),
      'test/hangs.test.mjs': `import { expect, it } from 'vitest'
let runs = 0
it('hangs after its first run', async () => {
  runs++
  if (runs > 1) await new Promise(() => {})
  expect(runs).toBe(1)
}, 200)
it('keeps nothing', () => expect([1, 2].length).toBe(2))
`,
    })
    const run = await runVitestIn(dir, ['run'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const [hangs, other] = readReport(dir).files[0]?.tests ?? []
    expect(hangs?.verdict, hangs?.reason).toBe('unknown')
    expect(hangs?.reason).toMatch(
      /time out \(first, run 2: .*timed out in 200ms.*\), so its repeats stopped after 3 runs/,
    )
    expect(other?.verdict, other?.reason).toBe('clean')
  }, 120_000)
})

// Vite and Vitest set MODE, DEV, PROD and BASE_URL in the main process after the config is read; the repeat run
// inherited them, so a config that reads one (here into a test's env) configured the repeat run differently.
describe('hunt mode with a config that reads the environment', () => {
  it('gives the repeat run the environment vitest was started with', async () => {
    const dir = tempProject({
      'vitest.config.mjs': configWith(
        QUICK_HUNT,
        '{ env: { MODE_AT_CONFIG: String(process.env.MODE), DEV_AT_CONFIG: String(process.env.DEV) } }',
      ),
      'test/env.test.mjs': `import { expect, it } from 'vitest'
it('sees the config of your run', () => {
  expect([process.env.MODE_AT_CONFIG, process.env.DEV_AT_CONFIG]).toEqual(['undefined', 'undefined'])
})
`,
    })
    const run = await runVitestIn(dir, ['run'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const report = readReport(dir)
    const test = report.files[0]?.tests[0]
    expect(test?.verdict, test?.reason).toBe('clean')
  }, 120_000)
})

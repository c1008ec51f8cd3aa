import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, it } from 'vitest'
import { configWith, readReport, runVitestIn, tempProject } from './tempProject.js'

// Measure mode's confirmation on a real run: a file that grows on first use only (each test fills its own entry of
// a module-level table once) is cleared by the quick clear, test by test; a file whose tests keep memory on every
// run is still confirmed a leak.
const firstUseFile = (tests: number, inTest = '', imports = '') => `${imports}import { expect, it } from 'vitest'
const table = new Map()
const once = (key) => { if (!table.has(key)) table.set(key, Array.from({ length: 8000 }, (_, i) => key + i)) }
for (let i = 0; i < ${tests}; i++) it('fills entry ' + i + ' once', () => { ${inTest}once('entry ' + i); expect(table.has('entry ' + i)).toBe(true) })
`
const firstUse = firstUseFile(8)
const leaking = `import { expect, it } from 'vitest'
const kept = []
for (let i = 0; i < 8; i++) it('keeps 64 KB ' + i, () => { kept.push(new Array(8000).fill(i)); expect(kept.length).toBeGreaterThan(0) })
`

// Memory a pool keeps while requests keep coming and lets go after 4 s without one (as a keep-alive connection is
// closed): each test sends a request of 192 KB the first time it runs, the first test every time.
const heldAWhile = `import { expect, it } from 'vitest'
const held = []
const sent = new Set()
let idle
const request = () => {
  held.push(new Array(24000).fill(held.length))
  clearTimeout(idle)
  idle = setTimeout(() => { held.length = 0 }, 4000)
}
for (let i = 0; i < 6; i++) it('sends request ' + i, () => {
  if (i === 0 || !sent.has(i)) request()
  sent.add(i)
  expect(sent.has(i)).toBe(true)
})
`

it('clears a file that grew on first use with the quick clear, one whose memory is given back after a wait, and still confirms a leaking one', async () => {
  const dir = tempProject({
    'vitest.config.mjs': configWith("{ workers: { adaptive: false }, leaks: { mode: 'measure', reuseClean: false } }"),
    'test/first-use.test.mjs': firstUse,
    'test/leaking.test.mjs': leaking,
    'test/held-a-while.test.mjs': heldAWhile,
  })
  const run = await runVitestIn(dir, ['run'], {}, 240_000)
  expect(run.code, run.stdout + run.stderr).toBe(0)
  // with reuseClean off, no run reuses verdicts: nothing to say of a first run
  expect(run.stdout + run.stderr).not.toMatch(/no verdicts cached|a first run/)
  const report = readReport(dir)
  const file = (name: string) => report.files.find((f) => f.file === `test/${name}.test.mjs`)!

  const cleared = file('first-use')
  // It grew: by its full GCs, or (on a loaded machine, when they were over the probes' budget) by its cheap samples.
  if (!cleared.rose) expect(cleared.growthBytesPerTest).toBeGreaterThan(16 * 1024)
  expect(cleared).toMatchObject({ verdict: 'clean', confirmed: true })
  expect(cleared.reason).toMatch(/no test grows when repeated/)
  // A few hundred KB once per test, on its first run: a settled sample after that run, then a bound (one full GC) 8
  // runs later clear each test. A worker's first repeated test also warms up Vitest's and the probes' code: it may
  // need more.
  const quick = cleared.tests.filter((test) =>
    /kept at most \S+ (B|KiB) per run over (8|16|24|32|48) runs after its first, under 8\.0 KiB/.test(test.reason),
  )
  expect(quick.length, cleared.tests.map((test) => test.reason).join('\n')).toBeGreaterThanOrEqual(
    cleared.tests.length - 1,
  )
  expect(cleared.tests.every((test) => test.verdict === 'clean')).toBe(true)

  const leak = file('leaking')
  expect(leak).toMatchObject({ verdict: 'leak', confirmed: true })
  expect(leak.tests[0]).toMatchObject({ verdict: 'leak' })
  expect(leak.tests[0]!.bytesPerIteration).toBeGreaterThan(32 * 1024)
  expect(leak.tests[0]!.reason).toMatch(/still held after 6 s with nothing running/)

  const held = file('held-a-while')
  expect(held.growthBytesPerTest, held.reason).toBeGreaterThan(16 * 1024)
  expect(held, held.reason).toMatchObject({ verdict: 'clean', confirmed: true })
  expect(held.tests[0]!.reason).toMatch(/gave back .* within 6 s with nothing running: memory held for a while/)
}, 300_000)

// Each run of a test in the repeat run notes the Vitest worker slot it ran in (VITEST_POOL_ID) and when; each file of
// the user's run notes when it ended.
const noteSlot = (log: string) =>
  `${firstUseFile(
    6,
    `if (process.env.QTESTS_REPEAT_RUN) appendFileSync(${JSON.stringify(log)}, 'repeat ' + process.env.VITEST_POOL_ID + ' ' + Date.now() + '\\n'); `,
    "import { appendFileSync } from 'node:fs'\nimport { afterAll } from 'vitest'\n",
  )}afterAll(() => { if (!process.env.QTESTS_REPEAT_RUN) appendFileSync(${JSON.stringify(log)}, 'user - ' + Date.now() + '\\n') })
`

it.skipIf(os.availableParallelism() < 2)(
  "waits for the user's run when it has a globalSetup or one file at a time, then repeats files on every core unless the user set a cap",
  async () => {
    const slots = async (test: string, files: Record<string, string> = {}) => {
      const log = path.join(os.tmpdir(), `qtests-slots-${process.pid}-${Date.now()}.log`)
      const dir = tempProject({
        'vitest.config.mjs': configWith(
          "{ workers: { adaptive: false }, leaks: { mode: 'measure', reuseClean: false } }",
          test,
        ),
        'test/a.test.mjs': noteSlot(log),
        'test/b.test.mjs': noteSlot(log),
        ...files,
      })
      const run = await runVitestIn(dir, ['run'], {}, 240_000)
      expect(run.code, run.stdout + run.stderr).toBe(0)
      expect(run.stdout + run.stderr).toMatch(/repeating the tests of 2 growing files/)
      const lines = readFileSync(log, 'utf8').trim().split('\n')
      const times = (who: string) =>
        lines.filter((line) => line.startsWith(who)).map((line) => Number(line.split(' ')[2]))
      // Every repeated run came after the user's run was over.
      expect(Math.min(...times('repeat')), lines.join('\n')).toBeGreaterThan(Math.max(...times('user')))
      return new Set(lines.filter((line) => line.startsWith('repeat')).map((line) => line.split(' ')[1]))
    }
    // Vitest's default would be the cores less one: one file at a time on two cores.
    expect(
      (await slots("{ globalSetup: ['./setup.mjs'] }", { 'setup.mjs': 'export default () => () => {}\n' })).size,
    ).toBe(2)
    expect([...(await slots('{ maxWorkers: 1 }'))]).toEqual(['1'])
  },
  300_000,
)

// A file confirmation cleared is not repeated again while its test file is unchanged and it grows no more than then:
// here a module it imports changes (a comment), as a commit to shared code does, and the file grows as before.
it('confirms nothing in a first run in CI, then does not repeat a file an earlier run cleared, confirmed leaking or found failing in every repeat, while its test file is unchanged, and does once it changes', async () => {
  const table = `export const table = new Map()
export const once = (key) => { if (!table.has(key)) table.set(key, Array.from({ length: 8000 }, (_, i) => key + i)) }
`
  // Each test also takes ~50 ms and the probes may take half the worker's time, so that full GCs (not only cheap
  // samples, which give no growth per test to compare) fit on a loaded machine. The 50 ms are blocked, not spun: a
  // loop on performance.now() allocates until V8 optimizes it, sooner or later with the machine's load (in one
  // loaded CI run the growing file was never screened in; that the loop's GCs caused it was not shown).
  const busy = 'const busy = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)'
  const testFile = `import { expect, it } from 'vitest'
import { once, table } from '../lib/table.mjs'
${busy}
for (let i = 0; i < 8; i++) it('fills entry ' + i + ' once', () => { busy(50); once('entry ' + i); expect(table.has('entry ' + i)).toBe(true) })
`
  // Tests that share a counter: every repeat fails (as h3's session tests do), keeping nothing while failing.
  const sharedState = `import { expect, it } from 'vitest'
import { once, table } from '../lib/table.mjs'
${busy}
let calls = 0
for (let i = 0; i < 8; i++) it('is call ' + i, () => { busy(50); once('shared ' + i); calls++; expect(calls).toBe(i + 1) })
`
  const dir = tempProject({
    'vitest.config.mjs': configWith("{ workers: { adaptive: false }, leaks: { mode: 'measure', measureBudget: 0.5 } }"),
    'lib/table.mjs': table,
    'test/first-use.test.mjs': testFile,
    'test/shared-state.test.mjs': sharedState,
    'test/leaking.test.mjs': leaking,
  })
  const runOnce = async (env: Record<string, string> = { CI: '' }) => {
    const run = await runVitestIn(dir, ['run'], env, 240_000)
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const report = readReport(dir)
    const file = report.files.find((f) => f.file === 'test/first-use.test.mjs')!
    const shared = report.files.find((f) => f.file === 'test/shared-state.test.mjs')!
    const leaks = report.files.find((f) => f.file === 'test/leaking.test.mjs')!
    // what a failing check prints: the run's qtests lines and the files' verdicts
    const seen = `${(run.stdout + run.stderr)
      .split('\n')
      .filter((line) => line.includes('qtests'))
      .join('\n')}\n${[file, shared, leaks].map((f) => JSON.stringify({ ...f, tests: undefined })).join('\n')}`
    return { output: run.stdout + run.stderr, file, shared, leaks, seen }
  }

  // A first run in CI confirms nothing (it would on every CI run without the cache), and says how to have it confirm.
  const cold = await runOnce({ CI: '1' })
  const firstRunInCI =
    /a first run in CI \(no \.qtests\/cache\/ from an earlier run\) does not confirm, .*keep \.qtests\/cache\/ between CI runs and the next run confirms, or set leaks\.confirmBudget/
  expect(cold.output, cold.seen).toMatch(new RegExp(`qtests  3 growing files not confirmed: ${firstRunInCI.source}`))
  expect(cold.output, cold.seen).not.toMatch(/repeating the tests of/)
  for (const file of [cold.file, cold.shared, cold.leaks]) {
    expect(file, cold.seen).toMatchObject({ verdict: 'suspect' })
    expect(file.confirmed, cold.seen).toBeUndefined()
    expect(file.reason, cold.seen).toMatch(firstRunInCI)
  }

  // The next run in CI, with the cache kept, confirms them.
  const first = await runOnce({ CI: '1' })
  expect(first.output, first.seen).toMatch(/repeating the tests of 3 growing files/)
  expect(first.output, first.seen).not.toMatch(/no verdicts cached|a first run/)
  expect(first.file, first.seen).toMatchObject({ verdict: 'clean', confirmed: true })
  expect(first.file.growthBytesPerTest, first.seen).toBeGreaterThan(16 * 1024)
  expect(first.shared, first.seen).toMatchObject({ verdict: 'unknown', failedRepeats: {} })
  expect(first.shared.failedRepeats!.at, first.seen).toBeUndefined()
  expect(first.shared.reason, first.seen).toMatch(/its tests fail when repeated/)
  expect(first.leaks, first.seen).toMatchObject({ verdict: 'leak', confirmed: true })

  writeFileSync(path.join(dir, 'lib/table.mjs'), `${table}// changed\n`)
  const second = await runOnce()
  expect(second.output, `${first.seen}\n${second.seen}`).not.toMatch(/repeating the tests of/)
  expect(second.file, second.seen).toMatchObject({
    verdict: 'clean',
    clearedEarlier: { growthBytesPerTest: first.file.growthBytesPerTest },
  })
  expect(second.file.confirmed, second.seen).toBeUndefined()
  expect(second.file.reason, second.seen).toMatch(
    /when an earlier run repeated its tests and none grew .* the test file is unchanged/,
  )
  expect(second.output, second.seen).toMatch(/1 grew as when an earlier run cleared them, not repeated/)
  // Its tests would fail again: not repeated while its test file is unchanged.
  expect(second.shared, second.seen).toMatchObject({ verdict: 'unknown', failedRepeats: { at: expect.any(String) } })
  expect(second.shared.reason, second.seen).toMatch(
    /they all failed there, .* the test file is unchanged: not repeated/,
  )
  expect(second.output, second.seen).toMatch(/1 failed in every repeat of an earlier run, not repeated/)
  // Nothing the leaking file loads changed: its confirmed leak is carried over, tests named, without probes or repeats.
  expect(second.leaks, second.seen).toMatchObject({ verdict: 'leak', reused: true })
  expect(second.leaks.reason, second.seen).toMatch(
    /an earlier run confirmed it leaking .* nothing it loads has changed/,
  )
  expect(
    second.leaks.tests.some((t) => t.verdict === 'leak'),
    second.seen,
  ).toBe(true)
  expect(second.output, second.seen).toMatch(/1 leaking \(1 unchanged since confirmed, not probed\)/)

  writeFileSync(path.join(dir, 'test/first-use.test.mjs'), `${testFile}// changed\n`)
  const third = await runOnce()
  expect(third.output, third.seen).toMatch(/repeating the tests of 1 growing file/)
  expect(third.output, third.seen).not.toMatch(/no verdicts cached|a first run/)
  expect(third.shared.failedRepeats?.at, third.seen).toBe(second.shared.failedRepeats!.at)
  expect(third.leaks, third.seen).toMatchObject({ verdict: 'leak', reused: true })
  expect(third.file, third.seen).toMatchObject({ verdict: 'clean', confirmed: true })
}, 600_000)

/** Test-file code that appends `what` (an expression) and the time to `log`. */
const noteIn = (log: string) => (what: string) =>
  `appendFileSync(${JSON.stringify(log)}, ${what} + ' ' + Date.now() + '\\n')`

/**
 * A file of the user's run whose 6 tests each wait until `log` holds `marker` (at most 90 s: on a busy machine the
 * repeat run's Vitest may take longer to start than any fixed duration), then `pauseMs` more; it notes its end as
 * 'slow file ended'. A marker that never comes during the run still fails the test that waits for it.
 */
const waitingFile = (
  log: string,
  marker: string,
  pauseMs: number,
) => `import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { afterAll, expect, it } from 'vitest'
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const seen = () => existsSync(${JSON.stringify(log)}) && readFileSync(${JSON.stringify(log)}, 'utf8').includes(${JSON.stringify(marker)})
const deadline = Date.now() + 90_000
for (let i = 0; i < 6; i++)
  it('waits for the repeat run ' + i, async () => {
    while (!seen() && Date.now() < deadline) await sleep(50)
    await sleep(${pauseMs})
    expect(i).toBe(i)
  }, 120_000)
afterAll(() => { ${noteIn(log)("'slow file ended'")} })
`

/** The lines of `log`, and the times noted on those that start with `what`. */
function readNotes(log: string) {
  const lines = readFileSync(log, 'utf8').trim().split('\n')
  const at = (what: string) =>
    lines.filter((line) => line.startsWith(what)).map((line) => Number(line.split(' ').at(-1)))
  return { lines, at }
}

// Without a globalSetup or a cap of one file at a time, a file that grew goes to the repeat run as soon as it ends:
// confirming it overlaps the rest of the user's run (a slow file here). Two workers start both files at once, so
// the growing one ends first whichever order Vitest picks (4.1 and 5 order files without durations differently).
it('confirms a growing file while the rest of the run goes on, at a lower CPU weight, and clears it', async () => {
  const log = path.join(os.tmpdir(), `qtests-alongside-${process.pid}-${Date.now()}.log`)
  const note = noteIn(log)
  // Each repeated run notes its session's CPU weight (Linux: the repeat run's session is niced while the user's run goes on).
  const weight = `(existsSync('/proc/self/autogroup') ? readFileSync('/proc/self/autogroup', 'utf8').trim().replace(/ /g, '_') : 'none')`
  const grows = `${firstUseFile(8, `if (process.env.QTESTS_REPEAT_RUN) ${note(`'repeated ' + ${weight}`)}; `, "import { appendFileSync, existsSync, readFileSync } from 'node:fs'\n")}`
  // The slow file goes on until the repeats have begun, then 6 × 0.3 s more.
  const slow = waitingFile(log, 'repeated', 300)
  const dir = tempProject({
    'vitest.config.mjs': configWith(
      "{ workers: { adaptive: false }, leaks: { mode: 'measure', reuseClean: false } }",
      '{ maxWorkers: 2 }',
    ),
    'test/grows.test.mjs': grows,
    'test/slow.test.mjs': slow,
  })
  const run = await runVitestIn(dir, ['run'], {}, 240_000)
  const output = run.stdout + run.stderr
  expect(run.code, output).toBe(0)
  const { lines, at } = readNotes(log)
  const slowEnded = at('slow file ended')
  expect(slowEnded, lines.join('\n')).toHaveLength(1)
  // The growing file's repeats began before the slow file of the user's run was over, at a lower CPU weight.
  expect(Math.min(...at('repeated')), lines.join('\n')).toBeLessThan(slowEnded[0]!)
  const during = lines.filter((line) => line.startsWith('repeated') && Number(line.split(' ').at(-1)) < slowEnded[0]!)
  if (existsSync('/proc/self/autogroup'))
    expect(
      during.every((line) => /_nice_10 /.test(line)),
      during.join('\n'),
    ).toBe(true)
  const report = readReport(dir)
  const grown = report.files.find((f) => f.file === 'test/grows.test.mjs')!
  expect(grown, output).toMatchObject({ verdict: 'clean', confirmed: true })
  expect(grown.reason).toMatch(/no test grows when repeated/)
  expect(report.files.find((f) => f.file === 'test/slow.test.mjs')?.confirmed, output).toBeUndefined()
}, 300_000)

/** The leaking file alone, cold, adaptive workers off, with this `leaks.confirmBudget`: its project, output and entry. */
async function runLeakingWithBudget(confirmBudget: number, reuseClean = false) {
  const dir = tempProject({
    'vitest.config.mjs': configWith(
      `{ workers: { adaptive: false }, leaks: { mode: 'measure', reuseClean: ${reuseClean}, confirmBudget: ${confirmBudget} } }`,
    ),
    'test/leaking.test.mjs': leaking,
  })
  const run = await runVitestIn(dir, ['run'], {}, 240_000)
  const output = run.stdout + run.stderr
  expect(run.code, output).toBe(0)
  const leak = readReport(dir).files.find((f) => f.file === 'test/leaking.test.mjs')!
  return { dir, output, leak }
}

it('leaves a growing file suspect, without starting a second Vitest, when leaks.confirmBudget leaves no time after the run', async () => {
  // With a budget, confirmation waits for the end of the run even where it could go beside it (adaptive workers
  // off, no globalSetup): a budget of 0 leaves it nothing.
  const { dir, output, leak } = await runLeakingWithBudget(0)
  expect(output).toMatch(
    /1 growing file not confirmed: leaks\.confirmBudget 0 of your run's \d+(\.\d)? s leaves no time after your run/,
  )
  expect(output).not.toMatch(/repeating the tests/)
  expect(existsSync(path.join(dir, '.qtests', 'repeat-run.log'))).toBe(false)
  expect(leak.growthBytesPerTest, leak.reason).toBeGreaterThan(16 * 1024)
  expect(leak).toMatchObject({ verdict: 'suspect' })
  expect(leak.confirmed).toBeUndefined()
  expect(leak.reason).toMatch(
    /not confirmed: no repeat run: leaks\.confirmBudget 0 of your run's \S+ s leaves no time after/,
  )
}, 300_000)

it('says once when leaks.confirmBudget is too short to settle one file, as later runs would stop at the same place', async () => {
  // 1% of a run of a few seconds: tens of ms, less than a repeated file's worker takes to start. Verdicts are kept
  // (reuseClean), but no file was cleared or confirmed for the next run to skip.
  const { output, leak } = await runLeakingWithBudget(0.01, true)
  expect(output).toMatch(
    /repeat run ended early: it ran out of its [\d.]+ m?s \(leaks\.confirmBudget 0\.01 of your run's/,
  )
  const hint =
    /[\d.]+ m?s \(leaks\.confirmBudget 0\.01 of your run's \S+ s\) ran out before it cleared a file or confirmed one leaking \(which later runs skip\), so they stop at the same place: raise leaks\.confirmBudget to confirm more/g
  expect(output.match(hint), output).toHaveLength(1)
  expect(leak, leak.reason).toMatchObject({ verdict: 'suspect' })
  expect(leak.reason).toMatch(/the repeat run ended before this file: it ran out of its/)
  expect(leak.reason).not.toMatch(/confirms more/)
}, 300_000)

it("with leaks.confirmBudget, starts the repeat run's Vitest while the run goes on and repeats files only after it", async () => {
  const log = path.join(os.tmpdir(), `qtests-budget-${process.pid}-${Date.now()}.log`)
  const note = noteIn(log)
  const grows = firstUseFile(
    8,
    `if (process.env.QTESTS_REPEAT_RUN) ${note("'repeated'")}; `,
    "import { appendFileSync } from 'node:fs'\n",
  )
  // The slow file goes on until the repeat run has loaded the config, then 6 × 0.05 s more.
  const slow = waitingFile(log, 'config', 50)
  const config = (plugin: string) =>
    `import { appendFileSync } from 'node:fs'
if (process.env.QTESTS_REPEAT_RUN) ${note("'config'")}
${configWith("{ workers: { adaptive: false }, leaks: { mode: 'measure', reuseClean: false, confirmBudget: 50 } }", '{ maxWorkers: 2 }')(plugin)}`
  const dir = tempProject({ 'vitest.config.mjs': config, 'test/grows.test.mjs': grows, 'test/slow.test.mjs': slow })
  const run = await runVitestIn(dir, ['run'], {}, 240_000)
  const output = run.stdout + run.stderr
  expect(run.code, output).toBe(0)
  expect(output).toMatch(
    /confirmation may take \d+(\.\d)? s after your run \(leaks\.confirmBudget 50 of your run's \d+(\.\d)? s\): files it does not reach stay suspect/,
  )
  expect(output).not.toMatch(/done while your run went on/)
  const { lines, at } = readNotes(log)
  const slowEnded = at('slow file ended')[0]!
  // Its Vitest was created during the run; no file of it ran before the run was over.
  expect(at('config')[0], lines.join('\n')).toBeLessThan(slowEnded)
  expect(Math.min(...at('repeated')), lines.join('\n')).toBeGreaterThan(slowEnded)
  const grown = readReport(dir).files.find((f) => f.file === 'test/grows.test.mjs')!
  expect(grown, output).toMatchObject({ verdict: 'clean', confirmed: true })
}, 300_000)

// What the per-worker event-loop watch (the report's stalls and GC time; packages/vitest/src/worker/eventLoopWatch.ts)
// costs a test worker on its own: the same process with and without it, one after the other (ABBA by round), in
// two workloads — an idle worker, and one running short synthetic tests that allocate enough to collect garbage
// often (its timer fires every 20 ms and its GC observer hears every collection).
//
//   node bench/overhead/eventLoopWatch.mjs [--seconds 8] [--rounds 3]
//
// Prints a table: CPU time per second idle, and tests per second and CPU per test busy, with the ratio of the two.

import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { markdown } from '../../packages/core/bench/markdownTable.mjs'
import { median } from '../lib.mjs'

const watchModule = new URL('../../packages/vitest/dist/worker/eventLoopWatch.js', import.meta.url)

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], Number(process.argv[5]))
} else {
  await main()
}

/** One measured process: `watch` or `none`, `idle` or `tests`, for `seconds`; prints its numbers as JSON. */
async function child(watching, workload, seconds) {
  const { EventLoopWatch } = await import(watchModule.href)
  const watch = watching === 'watch' ? new EventLoopWatch() : undefined
  watch?.takeFile()
  const before = process.cpuUsage()
  const started = performance.now()
  let tests = 0
  if (workload === 'idle') {
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  } else {
    // A test: ~1 ms of synchronous work that leaves garbage (young GCs every few tests), then a turn of the loop.
    let kept = []
    while (performance.now() - started < seconds * 1000) {
      watch?.testStarted(`test ${tests}`)
      const until = performance.now() + 1
      while (performance.now() < until) kept.push({ n: tests, s: `value ${kept.length}` })
      if (kept.length > 50_000) kept = []
      watch?.testEnded()
      tests++
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  const cpu = process.cpuUsage(before)
  const elapsedMs = performance.now() - started
  await watch?.settled()
  const stats = watch?.takeFile()
  process.stdout.write(
    JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, elapsedMs, tests, gcMs: stats?.gcMs ?? null }),
  )
}

async function main() {
  let args
  try {
    args = parseArgs({
      options: { seconds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' } },
    }).values
  } catch (error) {
    console.error(`eventLoopWatch: ${error.message}; flags: --seconds <n>, --rounds <n>`)
    process.exit(2)
  }
  for (const flag of ['seconds', 'rounds'])
    if (!/^[1-9]\d*$/.test(args[flag])) {
      console.error(`eventLoopWatch: --${flag} must be a whole number ≥ 1, got ${JSON.stringify(args[flag])}`)
      process.exit(2)
    }
  const seconds = Number(args.seconds)
  const rounds = Number(args.rounds)
  if (!existsSync(fileURLToPath(watchModule))) {
    console.error('eventLoopWatch: packages/vitest is not built; run `pnpm build` first')
    process.exit(1)
  }

  const self = fileURLToPath(import.meta.url)
  const measure = (watching, workload) => {
    const run = spawnSync(process.execPath, [self, '--child', watching, workload, String(seconds)], {
      encoding: 'utf8',
    })
    if (run.status !== 0) throw new Error(`child ${watching} ${workload} failed:\n${run.stderr}`)
    return JSON.parse(run.stdout)
  }

  const results = { idle: { none: [], watch: [] }, tests: { none: [], watch: [] } }
  console.log(`event-loop watch: ${rounds} rounds × 2 workloads × 2 processes × ${seconds} s, one at a time`)
  for (let round = 0; round < rounds; round++) {
    // ABBA: a machine that slows during the benchmark moves both sides alike.
    const order = round % 2 === 0 ? ['none', 'watch'] : ['watch', 'none']
    for (const workload of ['idle', 'tests'])
      for (const watching of order) {
        const result = measure(watching, workload)
        results[workload][watching].push(result)
        console.log(
          `  round ${round + 1} ${workload.padEnd(5)} ${watching.padEnd(5)} cpu ${result.cpuMs.toFixed(1)} ms` +
            (workload === 'tests' ? `, ${result.tests} tests` : '') +
            ` (load ${loadavg()[0].toFixed(2)})`,
        )
      }
  }

  const idleCpuPerS = (runs) => median(runs.map((r) => r.cpuMs / (r.elapsedMs / 1000)))
  const testsPerS = (runs) => median(runs.map((r) => r.tests / (r.elapsedMs / 1000)))
  const cpuPerTestUs = (runs) => median(runs.map((r) => (r.cpuMs * 1000) / r.tests))
  const idleNone = idleCpuPerS(results.idle.none)
  const idleWatch = idleCpuPerS(results.idle.watch)
  const rate = (values) => median(values)
  const pairedRatio = (pick) => rate(results.tests.watch.map((watch, i) => pick(watch) / pick(results.tests.none[i])))
  const rows = [
    ['workload', 'without the watch', 'with it', 'cost'],
    [
      'idle worker: CPU per second',
      `${idleNone.toFixed(2)} ms`,
      `${idleWatch.toFixed(2)} ms`,
      `${(idleWatch - idleNone).toFixed(2)} ms/s = ${((idleWatch - idleNone) / 10).toFixed(3)}% of a core`,
    ],
    [
      'short tests: tests per second',
      testsPerS(results.tests.none).toFixed(0),
      testsPerS(results.tests.watch).toFixed(0),
      `${pairedRatio((r) => r.tests / r.elapsedMs).toFixed(3)}× (paired rounds)`,
    ],
    [
      'short tests: CPU per test',
      `${cpuPerTestUs(results.tests.none).toFixed(0)} µs`,
      `${cpuPerTestUs(results.tests.watch).toFixed(0)} µs`,
      `${pairedRatio((r) => r.cpuMs / r.tests).toFixed(3)}× (paired rounds)`,
    ],
  ]
  console.log(`\n${markdown(rows)}`)
  const gc = results.tests.watch.map((r) => r.gcMs).filter((ms) => ms !== null)
  if (gc.length)
    console.log(`\nGC time the watch recorded in the short tests: median ${median(gc).toFixed(1)} ms per run`)
}

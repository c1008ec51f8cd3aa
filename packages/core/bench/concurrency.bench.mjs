// limitedPromiseAll vs p-limit 7 and p-queue 10 (10k trivial async tasks at concurrency 8), and the
// Semaphore's acquire/release pair. Run: pnpm --filter @qtests/core bench:concurrency (builds first).
import { bench, do_not_optimize, group, run } from 'mitata'
import pLimit from 'p-limit'
import PQueue from 'p-queue'
import { Semaphore, limitedPromiseAll } from '../dist/index.js'

const TASKS = 10_000
const CONCURRENCY = 8
const PAIRS = 1_000

const tasks = Array.from({ length: TASKS }, (_, i) => async () => i)

group(`${TASKS} trivial async tasks, concurrency ${CONCURRENCY}`, () => {
  bench('Promise.all (no limit, reference)', async () => {
    do_not_optimize(await Promise.all(tasks.map((task) => task())))
  })
  bench('limitedPromiseAll', async () => {
    do_not_optimize(await limitedPromiseAll(tasks, CONCURRENCY))
  })
  bench('p-limit 7', async () => {
    const limit = pLimit(CONCURRENCY)
    do_not_optimize(await Promise.all(tasks.map((task) => limit(task))))
  })
  bench('p-queue 10', async () => {
    const queue = new PQueue({ concurrency: CONCURRENCY })
    do_not_optimize(await queue.addAll(tasks))
  })
})

const semaphore = new Semaphore(CONCURRENCY)
group(`Semaphore, ${PAIRS} pairs`, () => {
  bench('await acquire() + release()', async () => {
    for (let i = 0; i < PAIRS; i++) {
      const release = await semaphore.acquire()
      release()
    }
  })
  bench('tryAcquire() + release()', () => {
    for (let i = 0; i < PAIRS; i++) semaphore.tryAcquire()()
  })
  bench(`run() x ${PAIRS} at once (queued behind ${CONCURRENCY} permits)`, async () => {
    const all = new Array(PAIRS)
    for (let i = 0; i < PAIRS; i++) all[i] = semaphore.run(() => i)
    do_not_optimize(await Promise.all(all))
  })
})

const { benchmarks } = await run()
const nsOf = (name) => {
  const trial = benchmarks.find((b) => b.alias === name)
  return trial?.runs[0]?.stats?.avg ?? Number.NaN
}

const perTask = (name) => nsOf(name) / TASKS
const ours = perTask('limitedPromiseAll')
const pLimitNs = perTask('p-limit 7')
const pQueueNs = perTask('p-queue 10')
const pairNs = nsOf('await acquire() + release()') / PAIRS
const rows = [
  ['Promise.all (reference)', perTask('Promise.all (no limit, reference)'), 'ns/task'],
  ['limitedPromiseAll', ours, 'ns/task'],
  ['p-limit 7', pLimitNs, 'ns/task'],
  ['p-queue 10', pQueueNs, 'ns/task'],
  ['Semaphore acquire+release', pairNs, 'ns/pair'],
  ['Semaphore tryAcquire+release', nsOf('tryAcquire() + release()') / PAIRS, 'ns/pair'],
  [
    'Semaphore run, contended',
    nsOf(`run() x ${PAIRS} at once (queued behind ${CONCURRENCY} permits)`) / PAIRS,
    'ns/call',
  ],
]
const pad = (s, n) => String(s).padEnd(n)
console.log('\nsummary')
console.log(`${pad('what', 32)}${pad('time', 18)}vs limitedPromiseAll`)
for (const [name, ns, unit] of rows) {
  const ratio = unit === 'ns/task' ? `${(ns / ours).toFixed(1)}×` : ''
  console.log(`${pad(name, 32)}${pad(`${ns.toFixed(1)} ${unit}`, 18)}${ratio}`)
}
const verdict = (ok) => (ok ? 'holds' : 'MISSED')
console.log('\ntargets')
console.log(`limitedPromiseAll ≤ 100 ns/task: ${ours.toFixed(1)} ns → ${verdict(ours <= 100)}`)
console.log(
  `limitedPromiseAll faster than p-limit and p-queue: ${(pLimitNs / ours).toFixed(1)}× / ${(pQueueNs / ours).toFixed(1)}× → ${verdict(ours < pLimitNs && ours < pQueueNs)}`,
)
console.log(`Semaphore acquire+release ≤ 500 ns/pair: ${pairNs.toFixed(1)} ns → ${verdict(pairNs <= 500)}`)

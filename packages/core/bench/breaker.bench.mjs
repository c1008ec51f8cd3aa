// CircuitBreaker.execute overhead over a bare call, against opossum 10 and cockatiel 4, and the heap each
// retains over 1M calls. Run: pnpm --filter @qtests/core bench:breaker (builds first; node --expose-gc).
import v8 from 'node:v8'
import { circuitBreaker, handleAll, SamplingBreaker } from 'cockatiel'
import { bench, group, run } from 'mitata'
import Opossum from 'opossum'
import { CircuitBreaker } from '../dist/index.js'

if (typeof globalThis.gc !== 'function') {
  console.error('Run with node --expose-gc (the bench:breaker script does).')
  process.exit(1)
}

const CALLS_PER_ITERATION = 1_000
const MEMORY_CALLS = 1_000_000
const WARMUP_CALLS = 20_000
const ROUNDS = 3
const resolved = Promise.resolve(1)
const dependency = () => resolved

// Same policy everywhere: open at 50% failures over a 10 s window, probe after 10 s, no per-call timeout
// (opossum's default 10 s timeout would add a timer per call; ours is off by default).
const makers = {
  '@qtests/core CircuitBreaker': () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 0.5,
      windowMs: 10_000,
      buckets: 10,
      halfOpenAfterMs: 10_000,
    })
    return { breaker, call: () => breaker.execute(dependency) }
  },
  '@qtests/core, timeoutMs 10000': () => {
    const breaker = new CircuitBreaker({ windowMs: 10_000, buckets: 10, halfOpenAfterMs: 10_000, timeoutMs: 10_000 })
    return { breaker, call: () => breaker.execute(dependency) }
  },
  'opossum 10': () => {
    const breaker = new Opossum(dependency, {
      timeout: false,
      errorThresholdPercentage: 50,
      rollingCountTimeout: 10_000,
      rollingCountBuckets: 10,
      resetTimeout: 10_000,
    })
    return { breaker, call: () => breaker.fire() }
  },
  'cockatiel 4 (SamplingBreaker)': () => {
    const breaker = circuitBreaker(handleAll, {
      halfOpenAfter: 10_000,
      breaker: new SamplingBreaker({ threshold: 0.5, duration: 10_000 }),
    })
    return { breaker, call: () => breaker.execute(dependency) }
  },
}

/** Heap in use outside code space: compiled code comes and goes with tiering and flushing, not with calls. */
function dataHeapBytes() {
  let bytes = 0
  for (const space of v8.getHeapSpaceStatistics())
    if (!space.space_name.startsWith('code')) bytes += space.space_used_size
  return bytes
}

/** Median over ROUNDS rounds of (data heap after GC − before GC) / calls, on one breaker instance. */
async function retainedBytesPerCall(make) {
  const { breaker, call } = make()
  // Warm up first so one-time costs (compiled code, inline caches, lazy fields) are not charged per call.
  for (let i = 0; i < WARMUP_CALLS; i++) await call()
  const perCall = []
  for (let round = 0; round < ROUNDS; round++) {
    globalThis.gc()
    globalThis.gc()
    const before = dataHeapBytes()
    for (let i = 0; i < MEMORY_CALLS; i++) await call()
    globalThis.gc()
    globalThis.gc()
    perCall.push((dataHeapBytes() - before) / MEMORY_CALLS)
  }
  // Keep the breaker reachable until after the measurement so its window counts.
  if (breaker === undefined) throw new Error('unreachable')
  return perCall.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]
}

// Memory first, before the timing runs: breakers made for timing would otherwise still hold (or be
// dropping) their windows while another breaker is measured. The bare call is the baseline.
// The first measurement in a fresh process also sees start-up garbage being freed: run it twice, keep the second.
await retainedBytesPerCall(() => ({ breaker: null, call: dependency }))
const bareBytesPerCall = await retainedBytesPerCall(() => ({ breaker: null, call: dependency }))
const bytesPerCall = {}
for (const [name, make] of Object.entries(makers)) bytesPerCall[name] = await retainedBytesPerCall(make)

group(`${CALLS_PER_ITERATION} sequential calls to an already resolved dependency`, () => {
  bench('bare call', async () => {
    for (let i = 0; i < CALLS_PER_ITERATION; i++) await dependency()
  })
  for (const [name, make] of Object.entries(makers)) {
    const { call } = make()
    bench(name, async () => {
      for (let i = 0; i < CALLS_PER_ITERATION; i++) await call()
    })
  }
})

const { benchmarks } = await run()
const perCallNs = (name) =>
  (benchmarks.find((b) => b.alias === name)?.runs[0]?.stats?.avg ?? Number.NaN) / CALLS_PER_ITERATION

const bareNs = perCallNs('bare call')
const rows = []
for (const [name] of Object.entries(makers)) {
  const ns = perCallNs(name)
  rows.push({ name, ns, overheadNs: ns - bareNs, bytesPerCall: bytesPerCall[name] })
}

const ours = rows[0]
const pad = (s, n) => String(s).padEnd(n)
console.log(
  `\nsummary (overhead = per-call time − bare call ${bareNs.toFixed(1)} ns; retained: median of ${ROUNDS} rounds of ${MEMORY_CALLS / 1e6}M calls, heap after GC outside code space)`,
)
console.log(`${pad('breaker', 32)}${pad('ns/call', 10)}${pad('overhead ns', 13)}${pad('vs ours', 9)}retained B/call`)
console.log(
  `${pad('bare call', 32)}${pad(bareNs.toFixed(1), 10)}${pad('', 13)}${pad('', 9)}${bareBytesPerCall.toFixed(3)}`,
)
for (const row of rows) {
  console.log(
    `${pad(row.name, 32)}${pad(row.ns.toFixed(1), 10)}${pad(row.overheadNs.toFixed(1), 13)}${pad(`${(row.overheadNs / ours.overheadNs).toFixed(1)}×`, 9)}${row.bytesPerCall.toFixed(3)}`,
  )
}
const verdict = (ok) => (ok ? 'holds' : 'MISSED')
console.log('\ntargets')
console.log(`overhead ≤ 200 ns/call: ${ours.overheadNs.toFixed(1)} ns → ${verdict(ours.overheadNs <= 200)}`)
// Flat: under 0.01 B/call, i.e. < 10 KB over 1M calls (GC noise), where opossum retains ≈ 9 B per call.
console.log(
  `retained memory flat (< 0.01 B/call): ${ours.bytesPerCall.toFixed(4)} B/call → ${verdict(ours.bytesPerCall < 0.01)}`,
)

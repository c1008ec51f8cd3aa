// ResourcePool acquire+release against generic-pool 3 and tarn 3: 1000 sequential pairs per iteration
// on a warm pool (resources already created), and 1000 callers at once on 8 resources (queued).
// Run: pnpm --filter @qtests/core bench:pool (builds first).
import genericPool from 'generic-pool'
import { bench, do_not_optimize, group, run } from 'mitata'
import tarn from 'tarn'
import { ResourcePool } from '../dist/index.js'

const PAIRS = 1_000
const MAX = 8
let nextId = 0
const create = async () => ({ id: nextId++ })
const destroy = async () => {}

// Same policy everywhere: max 8, no validation, no eviction timer that fires during the run.
const ours = new ResourcePool({ create, destroy, max: MAX, idleTimeoutMs: 600_000 })
const generic = genericPool.createPool({ create, destroy }, { max: MAX, min: 0 })
const tarnPool = new tarn.Pool({ create, destroy, min: 0, max: MAX, idleTimeoutMillis: 600_000 })

const pools = {
  '@qtests/core ResourcePool': { acquire: () => ours.acquire(), release: (r) => ours.release(r) },
  'generic-pool 3.9': { acquire: () => generic.acquire(), release: (r) => generic.release(r) },
  'tarn 3.1': { acquire: () => tarnPool.acquire().promise, release: (r) => tarnPool.release(r) },
}

// Warm each pool to MAX resources first, so creation is not measured.
for (const pool of Object.values(pools)) {
  const held = await Promise.all(Array.from({ length: MAX }, () => pool.acquire()))
  for (const r of held) pool.release(r)
}

group(`${PAIRS} sequential acquire + release pairs (warm pool)`, () => {
  for (const [name, pool] of Object.entries(pools)) {
    bench(name, async () => {
      for (let i = 0; i < PAIRS; i++) pool.release(await pool.acquire())
    })
  }
})

group(`${PAIRS} callers at once on ${MAX} resources (each waits its turn)`, () => {
  for (const [name, pool] of Object.entries(pools)) {
    bench(`${name} (queued)`, async () => {
      const all = new Array(PAIRS)
      for (let i = 0; i < PAIRS; i++) {
        all[i] = pool.acquire().then((r) => {
          pool.release(r)
          return r
        })
      }
      do_not_optimize(await Promise.all(all))
    })
  }
})

const { benchmarks } = await run()
const usPerPair = (name) => (benchmarks.find((b) => b.alias === name)?.runs[0]?.stats?.p50 ?? Number.NaN) / PAIRS / 1000
const pad = (s, n) => String(s).padEnd(n)
console.log(
  '\nsummary: µs per acquire + release pair, median of the samples (ratio = peer / ours: how many times slower the peer is)',
)
console.log(`${pad('pool', 30)}${pad('sequential', 14)}${pad('ratio', 10)}${pad('queued', 12)}ratio`)
const oursSeq = usPerPair('@qtests/core ResourcePool')
const oursQueued = usPerPair('@qtests/core ResourcePool (queued)')
const rows = Object.keys(pools).map((name) => ({ name, seq: usPerPair(name), queued: usPerPair(`${name} (queued)`) }))
for (const row of rows) {
  console.log(
    `${pad(row.name, 30)}${pad(row.seq.toFixed(3), 14)}${pad(`${(row.seq / oursSeq).toFixed(1)}×`, 10)}${pad(row.queued.toFixed(3), 12)}${(row.queued / oursQueued).toFixed(1)}×`,
  )
}
const verdict = (ok) => (ok ? 'holds' : 'MISSED')
console.log('\ntargets')
console.log(
  `faster than generic-pool (sequential): ${oursSeq.toFixed(3)} vs ${rows[1].seq.toFixed(3)} µs → ${verdict(oursSeq < rows[1].seq)}`,
)
console.log(
  `faster than tarn (sequential): ${oursSeq.toFixed(3)} vs ${rows[2].seq.toFixed(3)} µs → ${verdict(oursSeq < rows[2].seq)}`,
)
await Promise.all([ours.drain(), generic.drain().then(() => generic.clear()), tarnPool.destroy()])

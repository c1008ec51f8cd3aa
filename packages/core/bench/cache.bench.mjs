// MemoryBoundedCache get/set against raw lru-cache 11 configured alike (maxSize + sizeCalculation):
// 100k keys, 100-character string values. Ours with the same sizeOf (the wrapper's cost), and with its
// default estimate. Run: pnpm --filter @qtests/core bench:cache (builds first).
import { LRUCache } from 'lru-cache'
import { bench, do_not_optimize, group, run } from 'mitata'
import { MemoryBoundedCache } from '../dist/index.js'

const KEYS = 100_000
const OPS = 10_000
const keys = Array.from({ length: KEYS }, (_, i) => `key-${i}`)
const values = keys.map((k) => `${k}:`.padEnd(100, 'v'))
// Room for half the keys: sets evict, as in a cache that is full.
const maxBytes = (KEYS / 2) * 100
const sizeOf = (v) => v.length

const caches = {
  'lru-cache 11 (raw)': new LRUCache({ maxSize: maxBytes, sizeCalculation: sizeOf }),
  '@qtests/core MemoryBoundedCache': new MemoryBoundedCache({ maxBytes, sizeOf }),
  '@qtests/core, default sizeOf': new MemoryBoundedCache({ maxBytes: maxBytes * 2 }),
}
for (const cache of Object.values(caches)) for (let i = 0; i < KEYS; i++) cache.set(keys[i], values[i])

// Gets hit the recent half; sets cycle through all keys (each one an eviction once full).
let cursor = 0
group(`set, ${OPS} per iteration, full cache (evicting)`, () => {
  for (const [name, cache] of Object.entries(caches)) {
    bench(`${name} set`, () => {
      for (let i = 0; i < OPS; i++) {
        cursor = (cursor + 7919) % KEYS
        const at = cursor
        cache.set(keys[at], values[at])
      }
    })
  }
})
group(`get, ${OPS} per iteration, ~50% hits`, () => {
  for (const [name, cache] of Object.entries(caches)) {
    bench(`${name} get`, () => {
      let found = 0
      for (let i = 0; i < OPS; i++) {
        cursor = (cursor + 7919) % KEYS
        const at = cursor
        if (cache.get(keys[at]) !== undefined) found++
      }
      do_not_optimize(found)
    })
  }
})

const { benchmarks } = await run()
const nsPerOp = (name) => (benchmarks.find((b) => b.alias === name)?.runs[0]?.stats?.p50 ?? Number.NaN) / OPS
const pad = (s, n) => String(s).padEnd(n)
console.log('\nsummary: ns per operation, median of the samples (ratio = ours / raw lru-cache)')
console.log(`${pad('cache', 34)}${pad('set ns', 10)}${pad('ratio', 9)}${pad('get ns', 10)}ratio`)
const raw = { set: nsPerOp('lru-cache 11 (raw) set'), get: nsPerOp('lru-cache 11 (raw) get') }
const rows = Object.keys(caches).map((name) => ({ name, set: nsPerOp(`${name} set`), get: nsPerOp(`${name} get`) }))
for (const row of rows) {
  console.log(
    `${pad(row.name, 34)}${pad(row.set.toFixed(1), 10)}${pad(`${(row.set / raw.set).toFixed(2)}×`, 9)}${pad(row.get.toFixed(1), 10)}${(row.get / raw.get).toFixed(2)}×`,
  )
}
const ours = rows[1]
const verdict = (ok) => (ok ? 'holds' : 'MISSED')
console.log('\ntargets (same sizeOf as lru-cache)')
console.log(`set ≤ 1.3× raw lru-cache: ${(ours.set / raw.set).toFixed(2)}× → ${verdict(ours.set / raw.set <= 1.3)}`)
console.log(`get ≤ 1.3× raw lru-cache: ${(ours.get / raw.get).toFixed(2)}× → ${verdict(ours.get / raw.get <= 1.3)}`)

// safeJSONParse against secure-json-parse 4 (the rules it applies) and JSON.parse, on a 100 KB document;
// cachedJSONStringify hits against JSON.stringify on a 100 KB object; safeJSONStringify against
// JSON.stringify. Run: pnpm --filter @qtests/core bench:json (builds first).
import { bench, do_not_optimize, group, run } from 'mitata'
import secureJSON from 'secure-json-parse'
import { cachedJSONStringify, safeJSONParse, safeJSONStringify } from '../dist/index.js'

// ~100 KB of API-like records: ids, names, nested objects, arrays, numbers.
const records = Array.from({ length: 550 }, (_, i) => ({
  id: i,
  name: `user-${i}`,
  email: `user${i}@example.com`,
  score: i * 1.5,
  active: i % 3 === 0,
  tags: ['alpha', 'beta', `t${i % 7}`],
  address: { street: `${i} Main Street`, city: 'Springfield', zip: String(10000 + i) },
}))
const object = { total: records.length, records }
const text = JSON.stringify(object)
console.log(`document: ${(text.length / 1024).toFixed(1)} KB`)
const cached = structuredClone(object)
cachedJSONStringify(cached) // first call fills the cache (and freezes the clone)

group('parse a 100 KB document', () => {
  bench('JSON.parse (no checks, reference)', () => do_not_optimize(JSON.parse(text)))
  bench('secure-json-parse 4', () => do_not_optimize(secureJSON.parse(text)))
  bench('@qtests/core safeJSONParse', () => do_not_optimize(safeJSONParse(text)))
})
group('stringify a 100 KB object', () => {
  bench('JSON.stringify', () => do_not_optimize(JSON.stringify(object)))
  bench('@qtests/core cachedJSONStringify (hit)', () => do_not_optimize(cachedJSONStringify(cached)))
  bench('@qtests/core safeJSONStringify', () => do_not_optimize(safeJSONStringify(object)))
  bench('@qtests/core safeJSONStringify sortKeys', () => do_not_optimize(safeJSONStringify(object, { sortKeys: true })))
})

const { benchmarks } = await run()
const us = (name) => (benchmarks.find((b) => b.alias === name)?.runs[0]?.stats?.p50 ?? Number.NaN) / 1000
const sjp = us('secure-json-parse 4')
const ours = us('@qtests/core safeJSONParse')
const stringify = us('JSON.stringify')
const hit = us('@qtests/core cachedJSONStringify (hit)')
const safe = us('@qtests/core safeJSONStringify')
const sorted = us('@qtests/core safeJSONStringify sortKeys')
console.log('\nsummary (µs per call, median of the samples)')
console.log(
  `JSON.parse ${us('JSON.parse (no checks, reference)').toFixed(1)} · secure-json-parse ${sjp.toFixed(1)} · safeJSONParse ${ours.toFixed(1)} (${(ours / sjp).toFixed(2)}× secure-json-parse)`,
)
console.log(
  `JSON.stringify ${stringify.toFixed(1)} · cachedJSONStringify hit ${(hit * 1000).toFixed(1)} ns (${(stringify / hit).toFixed(0)}× faster) · safeJSONStringify ${safe.toFixed(1)} (${(safe / stringify).toFixed(2)}×) · sortKeys ${sorted.toFixed(1)} (${(sorted / stringify).toFixed(2)}×)`,
)
const verdict = (ok) => (ok ? 'holds' : 'MISSED')
console.log('\ntargets')
console.log(
  `safeJSONParse within 1.3× of secure-json-parse: ${(ours / sjp).toFixed(2)}× → ${verdict(ours / sjp <= 1.3)}`,
)
console.log(
  `cachedJSONStringify hit ≥ 10× faster than JSON.stringify: ${(stringify / hit).toFixed(0)}× → ${verdict(stringify / hit >= 10)}`,
)

// Writes 10× maxBytes of mixed-size strings through a MemoryBoundedCache (the built dist) in a process
// with a small heap, then prints one JSON line: what was written, the highest post-GC memory seen, the
// heap limit and the evictions. argv[2]: JSON { maxBytes, pressure: boolean }. Run with --expose-gc.
import v8 from 'node:v8'
import { MemoryBoundedCache } from '../dist/index.js'

const { maxBytes, pressure } = JSON.parse(process.argv[2])
const cache = new MemoryBoundedCache({ maxBytes, ...(pressure ? {} : { pressure: false }) })
const base = Buffer.alloc(256 * 1024)
for (let i = 0; i < base.length; i++) base[i] = 97 + (i % 26)
// Sizes log-uniform from 256 B to 256 KB, from a fixed LCG: the same run every time.
let seed = 12345
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed / 2 ** 31
}
const live = () => {
  const heap = v8.getHeapStatistics()
  return heap.used_heap_size + heap.external_memory
}
let written = 0
let nextSample = 0
let peakLiveBytes = 0
for (let i = 0; written < 10 * maxBytes; i++) {
  const length = Math.round(256 * 1024 ** random())
  // latin1 decoding copies into a flat one-byte string of exactly `length` characters.
  const value = base.toString('latin1', 0, length)
  cache.set(`key-${i}`, value)
  written += 16 + 2 * length
  if (written >= nextSample) {
    globalThis.gc()
    peakLiveBytes = Math.max(peakLiveBytes, live())
    nextSample += maxBytes / 4
  }
}
globalThis.gc()
peakLiveBytes = Math.max(peakLiveBytes, live())
console.log(
  JSON.stringify({
    written,
    peakLiveBytes,
    heapLimitBytes: v8.getHeapStatistics().heap_size_limit,
    stats: cache.stats(),
  }),
)

// PerformanceMonitor: its CPU cost at the default rate, its peak heap on a bursty workload against a full-rate
// reference, and its adaptive rate dropping under load and recovering.
// Run: pnpm --filter @qtests/core bench:monitor [--seconds 30] (builds first).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import v8 from 'node:v8'
import { PerformanceMonitor } from '../dist/index.js'
import { markdown } from './markdownTable.mjs'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '30' } } })
const SECONDS = Number(values.seconds)
const MB = 2 ** 20
const fmt = (n, digits = 2) => Number(n).toFixed(digits)
const log = (line) => process.stderr.write(`${line}\n`)
const run = promisify(execFile)

// 1. Cost: two idle processes side by side for the same time, one with a monitor at its defaults.
log(`cost: two idle processes for ${SECONDS} s, one with a PerformanceMonitor at its defaults`)
const child = fileURLToPath(new URL('./monitorCost.child.mjs', import.meta.url))
const [none, monitored] = await Promise.all(
  ['none', 'monitor'].map(async (mode) =>
    JSON.parse((await run(process.execPath, [child, mode, String(SECONDS)])).stdout),
  ),
)
const costShare = (monitored.cpuMs - none.cpuMs) / (SECONDS * 1000)
console.log(`\n1. Cost at the default rate (250 ms), idle process, ${SECONDS} s\n`)
console.log(
  markdown([
    ['process', 'CPU time', 'samples'],
    ['no monitor', `${fmt(none.cpuMs, 1)} ms`, '—'],
    ['PerformanceMonitor', `${fmt(monitored.cpuMs, 1)} ms`, String(monitored.samples)],
    [
      'difference',
      `${fmt(monitored.cpuMs - none.cpuMs, 1)} ms = ${fmt(costShare * 100, 3)}% of a core`,
      `target ≤ 1%: ${costShare <= 0.01 ? 'holds' : 'MISSED'}`,
    ],
  ]),
)

// 2. Peak heap on a bursty workload: bursts of 40–80 MB kept for 30 ms, every 400 ms, with busy work between
// (so the adaptive monitor steps its rate down). Reference: the same monitor at a fixed full rate. Beside them,
// what plain sampling of heapUsed would report at 250 ms and at 625 ms (40%).
log('peak heap: 10 s of bursts')
const adaptive = new PerformanceMonitor().start()
const fullRate = new PerformanceMonitor({ sampling: { baseIntervalMs: 250, maxIntervalMs: 250 } }).start()
const plain = (ms) => {
  const sampler = { peak: 0 }
  sampler.timer = setInterval(() => {
    sampler.peak = Math.max(sampler.peak, v8.getHeapStatistics().used_heap_size)
  }, ms)
  return sampler
}
const plain250 = plain(250)
const plain625 = plain(625)
let truePeak = 0
const end = performance.now() + 10_000
let burst = 0
while (performance.now() < end) {
  const sizeMb = 40 + (burst++ % 5) * 10
  let held = Array.from({ length: sizeMb }, () => new Array(MB / 8).fill(burst))
  truePeak = Math.max(truePeak, v8.getHeapStatistics().used_heap_size)
  await new Promise((resolve) => setTimeout(resolve, 30))
  held = undefined
  // Busy between bursts: the event loop stays loaded, as in a test run.
  const busyUntil = performance.now() + 370
  while (performance.now() < busyUntil) {
    const slice = performance.now() + 20
    while (performance.now() < slice) {
      // spin
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
  if (held !== undefined) throw new Error('unreachable')
}
clearInterval(plain250.timer)
clearInterval(plain625.timer)
const a = adaptive.stop()
const f = fullRate.stop()
const off = (x) => `${fmt(((x - f.peakHeapBytes) / f.peakHeapBytes) * 100, 1)}%`
console.log(
  '\n2. Peak heap on a bursty workload (bursts of 40–80 MB held 30 ms every 400 ms, busy loop between), 10 s\n',
)
console.log(
  markdown([
    ['sampler', 'peak heap', 'vs full-rate reference', 'samples', 'sampling rate'],
    [
      'full-rate reference (fixed 250 ms)',
      `${fmt(f.peakHeapBytes / MB, 1)} MB`,
      '—',
      String(f.samples),
      fmt(f.samplingRate),
    ],
    [
      'PerformanceMonitor, adaptive (default)',
      `${fmt(a.peakHeapBytes / MB, 1)} MB`,
      off(a.peakHeapBytes),
      String(a.samples),
      fmt(a.samplingRate),
    ],
    ['heapUsed read right after each burst', `${fmt(truePeak / MB, 1)} MB`, off(truePeak), '—', '—'],
    ['plain heapUsed sampling, 250 ms', `${fmt(plain250.peak / MB, 1)} MB`, off(plain250.peak), '—', '—'],
    ['plain heapUsed sampling, 625 ms (40%)', `${fmt(plain625.peak / MB, 1)} MB`, off(plain625.peak), '—', '—'],
  ]),
)
const within5 = Math.abs(a.peakHeapBytes - f.peakHeapBytes) / f.peakHeapBytes <= 0.05
console.log(
  `\nadaptive peak within 5% of the full-rate reference: ${within5 ? 'holds' : 'MISSED'}; the adaptive rate went down to ${fmt(Math.min(1, ...a.rateChanges.map((c) => c.rate)))}`,
)

// 3. The adaptive rate: 4 s busy, 4 s idle, the rate read every 500 ms.
log('adaptive rate: 4 s busy, 4 s idle')
const monitor = new PerformanceMonitor().start()
const rows = [['t', 'phase', 'sampling rate']]
const t0 = performance.now()
const read = setInterval(() => {
  const elapsed = performance.now() - t0
  rows.push([
    `${fmt(elapsed / 1000, 1)} s`,
    elapsed < 4000 ? 'busy' : 'idle',
    `${Math.round(monitor.summary().currentSamplingRate * 100)}%`,
  ])
}, 500)
while (performance.now() - t0 < 4000) {
  const slice = performance.now() + 20
  while (performance.now() < slice) {
    // spin
  }
  await new Promise((resolve) => setImmediate(resolve))
}
await new Promise((resolve) => setTimeout(resolve, 4200))
clearInterval(read)
const s = monitor.stop()
console.log('\n3. Adaptive rate: busy (event loop saturated) for 4 s, then idle for 4 s\n')
console.log(markdown(rows))
const lowest = Math.min(...s.rateChanges.map((c) => c.rate))
console.log(
  `\nrate changes: ${s.rateChanges.map((c) => `${fmt(c.atMs / 1000, 1)} s → ${Math.round(c.rate * 100)}%`).join(', ')}`,
)
console.log(
  `dropped to 40%: ${lowest <= 0.4 ? 'holds' : 'MISSED'}; recovered to 100%: ${s.currentSamplingRate === 1 ? 'holds' : 'MISSED'}`,
)

// Run by src/load/memorySqueeze.test.ts under --max-old-space-size=64: a load test whose target holds 256 KB
// while it answers (400 ms), at a rate whose requests in flight would hold more than the heap can (600/s × 0.4 s
// × 256 KB = 60 MB). Prints the result as JSON on stdout. argv[2]: 'on' (memory-aware modes, the default) or 'off'.
import { setTimeout as sleep } from 'node:timers/promises'
import { LoadTester } from '../dist/index.js'

async function buildReport() {
  // 256 KB of doubles on the V8 heap (a typed array would keep its bytes outside the heap).
  const rows = new Array(32768).fill(Math.random())
  await sleep(400)
  return rows.length
}

const result = await new LoadTester({
  target: buildReport,
  rate: 600,
  concurrency: 1000,
  durationMs: Number(process.argv[3] ?? 5000),
  memory: process.argv[2] === 'off' ? false : undefined,
  progress: false,
}).run()
process.stdout.write(JSON.stringify(result))

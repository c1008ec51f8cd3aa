// Run by bench/load.bench.mjs under --max-old-space-size=128: a 16 s open-model load test of a function that
// holds 64 KB for 200 ms, while a ballast is injected into the same heap in steps (+30 MB at 2 s, 4 s and 5 s) and
// released at 7 s. Prints the result as JSON.
import { setTimeout as sleep } from 'node:timers/promises'
import { LoadTester } from '../dist/index.js'

async function handle() {
  const rows = new Array(8192).fill(Math.random())
  await sleep(200)
  return rows.length
}

const ballast = []
const MB = 1024 * 1024
const add = (mb) => () => {
  for (let i = 0; i < mb; i++) ballast.push(new Array(MB / 8).fill(Math.random()))
}
setTimeout(add(30), 2000)
setTimeout(add(30), 4000)
setTimeout(add(30), 5000)
setTimeout(() => ballast.splice(0), 7000)

const result = await new LoadTester({
  target: handle,
  rate: 500,
  concurrency: 1000,
  durationMs: 16_000,
  progress: false,
}).run()
process.stdout.write(JSON.stringify(result))

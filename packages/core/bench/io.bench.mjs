// Copying a 1 GB file with fs streams at Node's default highWaterMark (64 KiB) and at
// optimalBufferSize's choice, in paired rounds (which goes first alternates). The files live in
// /dev/shm when it has room: on disk, write-back of the previous copy's dirty pages moved single
// copies by 2–3× here, drowning what the buffer size changes (the number of read/write calls).
// Multi-second copies are too long for mitata's sampling: this times whole copies itself.
// Run: pnpm --filter @qtests/core bench:io (builds first); an argument sets the rounds (default 5).
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  rmSync,
  statfsSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { optimalBufferSize } from '../dist/index.js'

const ROUNDS = Number(process.argv[2] ?? 5)
const shmFree = (() => {
  try {
    const fs = statfsSync('/dev/shm')
    return fs.bavail * fs.bsize
  } catch {
    return 0
  }
})()
const base = shmFree > 3 * 1024 ** 3 ? '/dev/shm' : tmpdir()
const dir = mkdtempSync(join(base, 'io-bench-'))
console.log(`files in ${base}`)
const source = join(dir, 'source.bin')
const target = join(dir, 'target.bin')
try {
  const fd = openSync(source, 'w')
  const chunk = Buffer.alloc(1 << 20)
  for (let i = 0; i < 1024; i++) {
    chunk.fill(i & 0xff)
    writeSync(fd, chunk)
  }
  closeSync(fd)
  const chosen = await optimalBufferSize(source)
  const copy = async (highWaterMark) => {
    rmSync(target, { force: true })
    const options = highWaterMark === undefined ? {} : { highWaterMark }
    const started = performance.now()
    await pipeline(createReadStream(source, options), createWriteStream(target, options))
    return performance.now() - started
  }
  await copy(undefined) // warm up both sides alike
  const node = []
  const ours = []
  const ratios = []
  for (let round = 0; round < ROUNDS; round++) {
    let nodeMs
    let oursMs
    if (round % 2 === 0) {
      nodeMs = await copy(undefined)
      oursMs = await copy(chosen)
    } else {
      oursMs = await copy(chosen)
      nodeMs = await copy(undefined)
    }
    node.push(nodeMs)
    ours.push(oursMs)
    ratios.push(oursMs / nodeMs)
    console.log(
      `round ${round + 1}: Node default 64 KiB ${nodeMs.toFixed(0)} ms, optimalBufferSize ${chosen / 1024} KiB ${oursMs.toFixed(0)} ms, ratio ${(oursMs / nodeMs).toFixed(3)}`,
    )
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]
  const ratio = median(ratios)
  console.log(`\nsummary: 1 GB copy, median of ${ROUNDS} paired rounds`)
  console.log(
    `Node default (64 KiB): ${median(node).toFixed(0)} ms · optimalBufferSize (${chosen / 1024} KiB): ${median(ours).toFixed(0)} ms · ratio ours/default ${ratio.toFixed(3)} (${ratio < 1 ? `${((1 - ratio) * 100).toFixed(0)}% faster` : `${((ratio - 1) * 100).toFixed(0)}% slower`})`,
  )
  console.log(
    `\ntargets\nnever more than 5% slower than Node's default: ${ratio.toFixed(3)} → ${ratio <= 1.05 ? 'holds' : 'MISSED'}`,
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}

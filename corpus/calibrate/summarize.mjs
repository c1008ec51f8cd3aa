// Compares calibration samples (written by calibrate/runner.ts) with labels.json:
//   node calibrate/summarize.mjs [dir]     (default $CALIBRATE_OUT or /tmp/qtests-calibrate)
// Per test: median growth per repeat over the second half of the repeats (the first half absorbs
// JIT warm-up), minus Vitest's own per-repeat growth (the median over clean-labelled tests).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = process.argv[2] ?? process.env.CALIBRATE_OUT ?? '/tmp/qtests-calibrate'
const labels = JSON.parse(readFileSync(fileURLToPath(new URL('../labels.json', import.meta.url)), 'utf8'))
const label = new Map(labels.tests.map((t) => [`${t.file}\u0000${t.test}`, t]))

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const rows = []
for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
  const { file, tests } = JSON.parse(readFileSync(join(dir, name), 'utf8'))
  for (const test of tests) {
    const deltas = test.samples.slice(1).map((v, i) => v - test.samples[i])
    const steady = deltas.slice(Math.floor(deltas.length / 2))
    if (steady.length === 0) continue
    rows.push({ file, test: test.name, growth: median(steady), label: label.get(`${file}\u0000${test.name}`) })
  }
}
const baseline = median(rows.filter((r) => r.label && !r.label.leak).map((r) => r.growth))
console.log(`Vitest's own growth per repeat (median over clean tests): ${baseline} B\n`)
for (const r of rows.sort((a, b) => a.file.localeCompare(b.file))) {
  const measured = r.growth - baseline
  const expected = r.label?.leak ? r.label.bytesPerIteration : 0
  const error = r.label?.leak ? `${(((measured - expected) / expected) * 100).toFixed(1)}%` : ''
  const tag = !r.label ? 'UNLABELLED' : r.label.leak ? 'leak ' : 'clean'
  console.log(
    `${tag}  ${String(measured).padStart(8)} B  label ${String(expected).padStart(7)} ${error.padStart(7)}  ${r.file} › ${r.test}`,
  )
}

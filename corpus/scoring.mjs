// Pure scoring of qtests reports against corpus/labels.json: no I/O, so it is unit-tested on
// hand-written fixtures (scoring.test.mjs) and used by score.mjs on real runs.

/** The bar `pnpm corpus:check` holds the plugin to. */
export const DEFAULT_THRESHOLDS = Object.freeze({
  huntPrecision: 0.97,
  huntRecall: 0.95,
  /** leaks at or above this size must be measured within sizeTolerance of their label */
  sizeFloorBytes: 4096,
  sizeTolerance: 0.25,
  measurePrecision: 1,
  measureRecall: 0.8,
  /** share of the tests labelled with a tool (`tooling`) whose report names that tool */
  toolingRecall: 1,
})

const POSITIVE = 'leak'

function normalizeFile(file) {
  return String(file).replaceAll('\\', '/').replace(/^\.\//, '')
}

function testKey(file, test) {
  return `${normalizeFile(file)}\u0000${test}`
}

/** precision/recall/F1 from counts; precision is 1 when nothing was flagged (nothing was wrong). */
export function rates({ tp, fp, fn }) {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp)
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn)
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
  return { precision, recall, f1 }
}

function median(values) {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Reported tests keyed by file + fullName. */
export function reportedTests(report) {
  const tests = new Map()
  for (const file of report.files ?? []) {
    for (const test of file.tests ?? []) {
      tests.set(testKey(file.file, test.name), { file: normalizeFile(file.file), ...test })
    }
  }
  return tests
}

/**
 * Per-test scoring of one hunt-mode report: a `leak` verdict is a positive, anything else
 * (suspect, clean, unknown, or absent from the report) a negative; suspects are listed apart.
 */
export function scoreHunt(labels, report, thresholds = DEFAULT_THRESHOLDS, vitestMajor = '4') {
  const reported = reportedTests(report)
  const labelled = new Set()
  const counts = { tp: 0, fp: 0, fn: 0, tn: 0 }
  const falsePositives = []
  const misses = []
  const suspects = []
  const notReported = []
  const sizes = []
  const tooling = { expected: 0, named: 0, misses: [] }

  for (const label of labels.tests) {
    const key = testKey(label.file, label.test)
    labelled.add(key)
    const got = reported.get(key)
    const verdict = got?.verdict ?? 'absent'
    const measured = typeof got?.bytesPerIteration === 'number' ? got.bytesPerIteration : null
    const row = { file: label.file, test: label.test, verdict, measuredBytes: measured }
    if (!got) notReported.push(row)
    if (verdict === 'suspect') suspects.push({ ...row, leak: label.leak })
    if (label.tooling && (!label.toolingIn || label.toolingIn.includes(vitestMajor))) {
      tooling.expected++
      if (got?.tooling?.some((held) => held.holder === label.tooling)) tooling.named++
      else tooling.misses.push({ ...row, holder: label.tooling })
    }

    if (label.leak) {
      if (verdict === POSITIVE) counts.tp++
      else {
        counts.fn++
        misses.push({ ...row, labelBytes: label.bytesPerIteration })
      }
      if (label.bytesPerIteration >= thresholds.sizeFloorBytes) {
        const relativeError =
          measured === null ? null : Math.abs(measured - label.bytesPerIteration) / label.bytesPerIteration
        sizes.push({ ...row, labelBytes: label.bytesPerIteration, relativeError })
      }
    } else if (verdict === POSITIVE) {
      counts.fp++
      falsePositives.push(row)
    } else counts.tn++
  }

  const unlabelled = [...reported.entries()]
    .filter(([key]) => !labelled.has(key))
    .map(([, test]) => ({ file: test.file, test: test.name, verdict: test.verdict }))
  const errors = sizes.filter((s) => s.relativeError !== null).map((s) => s.relativeError)
  const outOfTolerance = sizes.filter((s) => s.relativeError === null || s.relativeError > thresholds.sizeTolerance)

  return {
    ...counts,
    ...rates(counts),
    falsePositives,
    misses,
    suspects,
    notReported,
    unlabelled,
    tooling: { ...tooling, recall: tooling.expected === 0 ? 1 : tooling.named / tooling.expected },
    size: {
      checked: sizes.length,
      medianError: median(errors),
      worst: sizes.reduce(
        (w, s) => (w === null || (s.relativeError ?? Infinity) > (w.relativeError ?? Infinity) ? s : w),
        null,
      ),
      outOfTolerance,
    },
  }
}

/** Per-file scoring of one measure-mode report (file verdict `leak` is a positive). */
export function scoreMeasure(labels, report) {
  const verdicts = new Map((report.files ?? []).map((f) => [normalizeFile(f.file), f]))
  const counts = { tp: 0, fp: 0, fn: 0, tn: 0 }
  const falsePositives = []
  const misses = []
  const suspects = []
  for (const label of labels.files) {
    const got = verdicts.get(normalizeFile(label.file))
    const row = {
      file: label.file,
      verdict: got?.verdict ?? 'absent',
      growthBytesPerTest: got?.growthBytesPerTest ?? null,
    }
    if (row.verdict === 'suspect') suspects.push({ ...row, leak: label.leak })
    if (label.leak) {
      if (row.verdict === POSITIVE) counts.tp++
      else {
        counts.fn++
        misses.push(row)
      }
    } else if (row.verdict === POSITIVE) {
      counts.fp++
      falsePositives.push(row)
    } else counts.tn++
  }
  return { ...counts, ...rates(counts), falsePositives, misses, suspects }
}

/** Tests whose verdict differs between hunt runs (a test absent from a run counts as 'absent'). */
export function stability(labels, reports) {
  const perRun = reports.map(reportedTests)
  const flipped = []
  for (const label of labels.tests) {
    const key = testKey(label.file, label.test)
    const verdicts = perRun.map((tests) => tests.get(key)?.verdict ?? 'absent')
    if (new Set(verdicts).size === 1) continue
    // A flip between clean and suspect is less serious than one that changes the leak decision.
    const leakDecisionChanged = verdicts.includes(POSITIVE) && verdicts.some((v) => v !== POSITIVE)
    flipped.push({ file: label.file, test: label.test, verdicts, leakDecisionChanged })
  }
  return { runs: reports.length, identical: flipped.length === 0, flipped }
}

/** Everything score.mjs prints and checks, from the labels, N hunt reports and one measure report. */
export function scoreCorpus(labels, huntReports, measureReport, thresholds = DEFAULT_THRESHOLDS, vitestMajor = '4') {
  const hunt = huntReports.map((report) => scoreHunt(labels, report, thresholds, vitestMajor))
  return {
    hunt,
    stability: stability(labels, huntReports),
    measure: measureReport ? scoreMeasure(labels, measureReport) : null,
  }
}

/** The reasons `--check` fails; empty when the corpus passes. Every hunt run must pass on its own. */
export function checkFailures(summary, thresholds = DEFAULT_THRESHOLDS) {
  const failures = []
  const pct = (x) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`)
  summary.hunt.forEach((run, i) => {
    const name = `hunt run ${i + 1}`
    if (run.precision < thresholds.huntPrecision)
      failures.push(`${name}: precision ${pct(run.precision)} < ${pct(thresholds.huntPrecision)}`)
    if (run.recall < thresholds.huntRecall)
      failures.push(`${name}: recall ${pct(run.recall)} < ${pct(thresholds.huntRecall)}`)
    if (run.size.outOfTolerance.length > 0)
      failures.push(
        `${name}: ${run.size.outOfTolerance.length} leak(s) ≥ ${thresholds.sizeFloorBytes} B not within ±${pct(thresholds.sizeTolerance)} of the label`,
      )
    if (run.tooling.recall < thresholds.toolingRecall)
      failures.push(
        `${name}: ${run.tooling.misses.length} test(s) whose growth test tooling holds do not name the tool`,
      )
    if (run.unlabelled.length > 0) failures.push(`${name}: ${run.unlabelled.length} reported test(s) have no label`)
    if (run.notReported.length > 0)
      failures.push(`${name}: ${run.notReported.length} labelled test(s) missing from the report`)
  })
  if (!summary.stability.identical)
    failures.push(
      `hunt verdicts differ across ${summary.stability.runs} runs for ${summary.stability.flipped.length} test(s)`,
    )
  if (!summary.measure) failures.push('no measure-mode report')
  else {
    if (summary.measure.precision < thresholds.measurePrecision)
      failures.push(`measure: precision ${pct(summary.measure.precision)} < ${pct(thresholds.measurePrecision)}`)
    if (summary.measure.recall < thresholds.measureRecall)
      failures.push(`measure: recall ${pct(summary.measure.recall)} < ${pct(thresholds.measureRecall)}`)
  }
  return failures
}

function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return '—'
  if (Math.abs(bytes) >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MB`
  if (Math.abs(bytes) >= 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${Math.round(bytes)} B`
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)))
  return rows
    .map((r) =>
      r
        .map((cell, c) => String(cell).padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** The readable summary score.mjs prints. */
export function formatSummary(summary) {
  const pct = (x) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`)
  const name = (t) => `${t.file} › ${t.test}`
  const out = []

  out.push('HUNT (per test; positive = verdict "leak")')
  out.push(
    table([
      [
        'run',
        'TP',
        'FP',
        'FN',
        'TN',
        'precision',
        'recall',
        'F1',
        'suspect',
        'size err median',
        'size err worst',
        'tooling named',
      ],
      ...summary.hunt.map((r, i) => [
        i + 1,
        r.tp,
        r.fp,
        r.fn,
        r.tn,
        pct(r.precision),
        pct(r.recall),
        pct(r.f1),
        r.suspects.length,
        pct(r.size.medianError),
        r.size.worst ? pct(r.size.worst.relativeError) : 'n/a',
        `${r.tooling.named}/${r.tooling.expected}`,
      ]),
    ]),
  )
  summary.hunt.forEach((r, i) => {
    const run = `run ${i + 1}`
    for (const t of r.falsePositives)
      out.push(`  ${run} false positive: ${name(t)} (${formatBytes(t.measuredBytes)}/iteration)`)
    for (const t of r.misses)
      out.push(
        `  ${run} miss: ${name(t)} — verdict ${t.verdict}, label ${formatBytes(t.labelBytes)}, measured ${formatBytes(t.measuredBytes)}`,
      )
    for (const t of r.suspects)
      out.push(`  ${run} suspect (${t.leak ? 'labelled leak' : 'labelled clean'}): ${name(t)}`)
    for (const t of r.size.outOfTolerance)
      out.push(
        `  ${run} size off: ${name(t)} — label ${formatBytes(t.labelBytes)}, measured ${formatBytes(t.measuredBytes)} (${pct(t.relativeError)})`,
      )
    for (const t of r.tooling.misses)
      out.push(`  ${run} tooling not named: ${name(t)} — expected ${t.holder}, verdict ${t.verdict}`)
    for (const t of r.unlabelled) out.push(`  ${run} unlabelled test in report: ${name(t)}`)
    for (const t of r.notReported) out.push(`  ${run} labelled test missing from report: ${name(t)}`)
  })
  const s = summary.stability
  out.push(
    s.identical
      ? `Stability: verdicts identical across ${s.runs} hunt runs`
      : `Stability: ${s.flipped.length} test(s) changed verdict across ${s.runs} hunt runs`,
  )
  for (const f of s.flipped)
    out.push(
      `  flipped: ${name(f)} — ${f.verdicts.join(' → ')}${f.leakDecisionChanged ? ' (leak decision changed)' : ''}`,
    )

  out.push('')
  if (!summary.measure) out.push('MEASURE: no report')
  else {
    const m = summary.measure
    out.push('MEASURE (per file; positive = verdict "leak")')
    out.push(
      table([
        ['TP', 'FP', 'FN', 'TN', 'precision', 'recall', 'suspect'],
        [m.tp, m.fp, m.fn, m.tn, pct(m.precision), pct(m.recall), m.suspects.length],
      ]),
    )
    for (const f of m.falsePositives)
      out.push(`  false positive: ${f.file} (${formatBytes(f.growthBytesPerTest)}/test)`)
    for (const f of m.misses) out.push(`  miss: ${f.file} — verdict ${f.verdict}`)
    for (const f of m.suspects) out.push(`  suspect (${f.leak ? 'labelled leak' : 'labelled clean'}): ${f.file}`)
  }
  return out.join('\n')
}

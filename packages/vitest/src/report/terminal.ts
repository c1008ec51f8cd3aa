import { formatBytes } from '@qtests/core/format'
import type { QtestsReport, TestReport } from './schema.js'
import { formatOpen, neverRan, OVER_BUDGET } from './verdicts.js'

export interface TerminalStyle {
  red(text: string): string
  yellow(text: string): string
  green(text: string): string
  dim(text: string): string
  bold(text: string): string
}

const plain: TerminalStyle = { red: String, yellow: String, green: String, dim: String, bold: String }

/**
 * The section printed after Vitest's summary: the leaking and suspect tests (or files) a person must
 * look at, and where the report files are. One line when nothing grows.
 */
export function formatTerminalSection(
  report: QtestsReport,
  options: { detail: 'summary' | 'full'; reportPaths: string[]; style?: TerminalStyle },
): string {
  const style = options.style ?? plain
  const lines: string[] = []
  const where = options.reportPaths.length ? ` · report: ${options.reportPaths.join(', ')}` : ''
  const header = style.bold(' qtests ')
  const { summary } = report
  if (report.mode === 'off')
    return (
      [`${header} leak detection off · ${summary.files} files${where}`, ...workerLines(report, style)].join('\n') + '\n'
    )

  const full = options.detail === 'full'
  const rows: string[][] = []
  for (const file of report.files) {
    // A file's verdict rows: its growing tests (hunt, and measure files its confirmation named), or the file.
    const growing = file.tests.filter((test) => test.verdict === 'leak' || test.verdict === 'suspect')
    const perTest = report.mode === 'hunt' || (file.confirmed && growing.length > 0)
    const group: string[] = []
    if (perTest) {
      // A summary names the worst few tests of a file; the report lists them all.
      const shown = full ? growing : [...growing].sort(worstFirst).slice(0, TESTS_PER_FILE)
      for (const test of shown) {
        group.push(
          row(
            style,
            test.verdict as 'leak' | 'suspect',
            `${file.file} > ${test.name}`,
            test.bytesPerIteration,
            'iteration',
            `confidence ${test.confidence.toFixed(2)}`,
          ),
        )
        const site = test.allocationSites?.[0]
        if (site)
          group.push(
            style.dim(
              `           kept memory allocated in ${site.functionName} (${site.file}:${site.line}), ${Math.round(site.share * 100)}% of it`,
            ),
          )
        if (test.openPerRun) group.push(style.dim(`           each run left open: ${formatOpen(test.openPerRun)}`))
      }
      if (growing.length > shown.length)
        group.push(
          style.dim(
            `           … and ${growing.length - shown.length} more growing tests in ${file.file} (see the report)`,
          ),
        )
    } else if (file.verdict === 'leak' || file.verdict === 'suspect') {
      // Growth seen once, never repeated: no confidence to give (a first run in CI, a budget that ran out).
      const note =
        file.verdict === 'suspect' && file.confirmed === undefined
          ? 'not confirmed'
          : `confidence ${file.confidence.toFixed(2)}`
      group.push(row(style, file.verdict, file.file, file.growthBytesPerTest, 'test', note))
    }
    if (full && file.verdict !== 'leak' && file.verdict !== 'suspect')
      group.push(
        `  ${style.dim(file.verdict.toUpperCase().padEnd(8))} ${style.dim(file.file)}  ${style.dim(file.reason)}`,
      )
    if (group.length) rows.push(group)
  }
  // A long list belongs in the report: the section stays readable in seconds.
  const shownRows = full ? rows : rows.slice(0, MAX_FILES_SHOWN)
  const hidden = rows.length - shownRows.length

  const mode = report.mode === 'hunt' ? `hunt, ${report.settings.iterations} iterations per test` : 'measure'
  const reused = report.files.filter((file) => file.reused && file.verdict === 'clean').length
  const reusedLeaks = report.files.filter((file) => file.reused && file.verdict === 'leak').length
  const clearedEarlier = report.files.filter((file) => file.clearedEarlier).length
  const failedEarlier = report.files.filter((file) => file.failedRepeats?.at).length
  // A count, and in brackets how many of it carry an earlier run's finding over.
  const counted = (count: number, what: string, notes: string[]) => {
    const said = notes.filter(Boolean)
    return said.length ? `${count} ${what} (${said.join('; ')})` : `${count} ${what}`
  }
  const counts = `${[
    counted(summary.leak, 'leaking', [reusedLeaks ? `${reusedLeaks} unchanged since confirmed, not probed` : '']),
    `${summary.suspect} suspect`,
    counted(summary.clean, 'clean', [
      reused ? `${reused} unchanged since measured clean, not probed` : '',
      clearedEarlier ? `${clearedEarlier} grew as when an earlier run cleared them, not repeated` : '',
    ]),
    counted(summary.unknown, 'unmeasured', [
      failedEarlier ? `${failedEarlier} failed in every repeat of an earlier run, not repeated` : '',
    ]),
  ].join(', ')} of ${summary.files} files`
  if (summary.leak === 0 && summary.suspect === 0) {
    lines.push(`${header} ${style.green('no leaks found')} (${mode}) · ${counts}${where}`)
    if (full) lines.push(...rows.flat())
  } else {
    lines.push(`${header} memory leaks (${mode})`)
    lines.push(...shownRows.flat())
    if (hidden > 0)
      lines.push(
        style.dim(
          `  … and ${hidden} more ${hidden === 1 ? 'file' : 'files'} with growth: see ${options.reportPaths.at(-1) ?? 'the report'}`,
        ),
      )
    lines.push(`  ${counts}${where}`)
    if (
      report.mode === 'measure' &&
      report.files.some((file) => (file.verdict === 'leak' || file.verdict === 'suspect') && !file.confirmed)
    )
      lines.push(style.dim('  per-test verdicts: run again with QTESTS_LEAKS=hunt'))
  }
  lines.push(...toolingLines(report, style), ...unmeasuredLines(report, style), ...overBudgetLines(report, style))
  // Our own machinery failing is said once, after the verdicts: the run itself carried on.
  const broken = report.files.filter((file) => file.probe?.error)
  if (broken.length)
    lines.push(
      style.yellow(
        `  probes failed in ${broken.length} file(s), which are left unmeasured; first: ${broken[0]!.file}: ${broken[0]!.probe!.error}`,
      ),
    )
  lines.push(...workerLines(report, style))
  return `${lines.join('\n')}\n`
}

/** Files shown in the summary before the rest is left to the report. */
const MAX_FILES_SHOWN = 8

/** One line per tool that held memory for tests: how many, the most per run, and what to change. */
function toolingLines(report: QtestsReport, style: TerminalStyle): string[] {
  const byHolder = new Map<
    string,
    { what: string; advice: string; tests: number; most?: { bytes: number; where: string } }
  >()
  for (const file of report.files)
    for (const test of file.tests)
      for (const held of test.tooling ?? []) {
        const entry = byHolder.get(held.holder) ?? { what: held.what, advice: held.advice, tests: 0 }
        entry.tests++
        if (held.bytesPerIteration !== null && (entry.most === undefined || held.bytesPerIteration > entry.most.bytes))
          entry.most = { bytes: held.bytesPerIteration, where: `${file.file} > ${test.name}` }
        byHolder.set(held.holder, entry)
      }
  return [...byHolder.values()].map((entry) => {
    const most = entry.most ? ` (up to +${formatBytes(entry.most.bytes)}/iteration, in ${entry.most.where})` : ''
    return style.yellow(
      `  TOOLING  ${entry.tests} ${entry.tests === 1 ? 'test keeps' : 'tests keep'} memory in ${entry.what}${most}, not your code's leak: ${entry.advice}`,
    )
  })
}

/** measure: files the probes' budget left to a later run, counted once with why (the summary only counts them). */
function overBudgetLines(report: QtestsReport, style: TerminalStyle): string[] {
  const left = report.files.filter((file) => file.overBudget).length
  if (left === 0) return []
  const files = left === 1 ? 'file' : 'files'
  return [
    style.dim(`  ${left} ${files} not probed in this run: their worker's ${OVER_BUDGET}; a later run measures them`),
  ]
}

/** hunt: tests that ran but got no verdict, counted, with the first one's reason. */
function unmeasuredLines(report: QtestsReport, style: TerminalStyle): string[] {
  if (report.mode !== 'hunt') return []
  const unmeasured = report.files.flatMap((file) =>
    file.tests.filter((test) => test.verdict === 'unknown' && !neverRan(test)).map((test) => ({ file, test })),
  )
  if (unmeasured.length === 0) return []
  const { file, test } = unmeasured[0]!
  return [
    style.dim(
      `  ${unmeasured.length} ${unmeasured.length === 1 ? 'test' : 'tests'} not measured; first: ${file.file} > ${test.name}: ${test.reason}`,
    ),
  ]
}

/** One line on adaptive workers ("workers 2→6→3, peak 2.1 GiB of 3.0 GiB budget"), one per retried file. */
export function workerLines(report: QtestsReport, style: TerminalStyle = plain): string[] {
  const workers = report.workers
  if (!workers.adaptive) return []
  const limits = workers.limits?.length ? workers.limits : [...new Set(workers.timeline.map((point) => point.limit))]
  const memory =
    workers.peakRssBytes && workers.memoryBudgetBytes
      ? `, peak ${formatBytes(workers.peakRssBytes)} of ${formatBytes(workers.memoryBudgetBytes)} budget`
      : ''
  const lines = [
    style.dim(`  workers ${compactLimits(limits).join('→')} (at most ${workers.peakConcurrency} at once)${memory}`),
  ]
  for (const retry of workers.retries) {
    if (retry.outcome === 'cancelled') {
      lines.push(style.yellow(`  ${retry.file}: ${retry.reason}; not run again, the run was cancelled first`))
      continue
    }
    const heap = retry.heapMb ? ` with a ${retry.heapMb} MiB heap` : ' with the same heap'
    const outcome =
      retry.outcome === 'crashed again'
        ? style.red('crashed again')
        : retry.outcome === 'passed'
          ? 'completed'
          : retry.outcome === 'failed'
            ? 'completed, with failing tests'
            : 'did not finish'
    lines.push(style.yellow(`  retried ${retry.file} alone${heap} after ${retry.reason}: ${outcome}`))
  }
  return lines
}

/** A long run can move the limit many times; the line keeps the start, the turning points and the end. */
function compactLimits(limits: readonly number[]): number[] {
  if (limits.length <= 6) return [...limits]
  const turns = limits.filter(
    (value, i) => i === 0 || i === limits.length - 1 || (limits[i - 1]! - value) * (limits[i + 1]! - value) > 0,
  )
  if (turns.length <= 6) return turns
  // Start, highest, end — without repeating a number when the start or the end was the highest.
  return [turns[0]!, Math.max(...turns), turns.at(-1)!].filter((value, i, all) => i === 0 || value !== all[i - 1])
}

const TESTS_PER_FILE = 3

function worstFirst(a: TestReport, b: TestReport): number {
  return (
    (a.verdict === 'leak' ? 0 : 1) - (b.verdict === 'leak' ? 0 : 1) ||
    (b.bytesPerIteration ?? 0) - (a.bytesPerIteration ?? 0)
  )
}

function row(
  style: TerminalStyle,
  verdict: 'leak' | 'suspect',
  what: string,
  bytes: number | null,
  perUnit: string,
  note: string,
): string {
  const label = verdict === 'leak' ? style.red('LEAK    ') : style.yellow('SUSPECT ')
  const size = bytes === null ? '' : `  +${formatBytes(bytes)}/${perUnit}`
  return `  ${label} ${what}${size}  ${style.dim(note)}`
}

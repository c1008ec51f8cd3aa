// The report.json contract (docs/contract.md, schemaVersion 1), checked field by field so that a
// failure names the field and the value instead of dumping the whole report.

export type Verdict = 'leak' | 'suspect' | 'clean' | 'unknown'
export type LeakMode = 'measure' | 'hunt' | 'off'

export interface TestReport {
  name: string
  verdict: Verdict
  bytesPerIteration: number | null
  confidence: number | null
  iterations: number
}

export interface FileReport {
  file: string
  project: string | null
  verdict: Verdict
  retainedBytes: number | null
  growthBytesPerTest: number | null
  confidence: number | null
  /** measure: the file's memory grew, so its tests were repeated one by one in a repeat run */
  confirmed?: true
  tests: TestReport[]
}

export interface QtestsReport {
  schemaVersion: 1
  tool: { name: 'qtests'; version: string }
  mode: LeakMode
  startedAt: string
  durationMs: number
  files: FileReport[]
  workers: unknown
}

const verdicts: readonly unknown[] = ['leak', 'suspect', 'clean', 'unknown']

/** Every way `report` breaks the contract for a run in `mode`; empty when it follows it. */
export function reportProblems(report: unknown, mode: LeakMode): string[] {
  const problems: string[] = []
  const fail = (path: string, value: unknown, expected: string) =>
    problems.push(`${path} is ${JSON.stringify(value)}, expected ${expected}`)
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
  const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)
  const checkConfidence = (path: string, value: unknown, verdict: unknown) => {
    if (value === null && verdict === 'unknown') return
    if (!isNumber(value) || value < 0 || value > 1) fail(path, value, 'a number in 0..1')
  }

  if (!isRecord(report)) return [`report is ${JSON.stringify(report)}, expected an object`]
  if (report.schemaVersion !== 1) fail('schemaVersion', report.schemaVersion, '1')
  if (!isRecord(report.tool) || report.tool.name !== 'qtests' || typeof report.tool.version !== 'string') {
    fail('tool', report.tool, '{ name: "qtests", version: string }')
  }
  if (report.mode !== mode) fail('mode', report.mode, JSON.stringify(mode))
  if (typeof report.startedAt !== 'string' || Number.isNaN(Date.parse(report.startedAt))) {
    fail('startedAt', report.startedAt, 'an ISO date string')
  }
  if (!isNumber(report.durationMs) || report.durationMs < 0) fail('durationMs', report.durationMs, 'a number ≥ 0')
  if (!isRecord(report.workers)) fail('workers', report.workers, 'an object')
  if (!Array.isArray(report.files)) {
    fail('files', report.files, 'an array')
    return problems
  }

  for (const [i, file] of (report.files as unknown[]).entries()) {
    const at = `files[${i}]`
    if (!isRecord(file)) {
      fail(at, file, 'an object')
      continue
    }
    const name = file.file
    if (
      typeof name !== 'string' ||
      name === '' ||
      name.includes('\\') ||
      /^([a-z]:)?\//i.test(name) ||
      name.startsWith('../')
    ) {
      fail(`${at}.file`, name, 'a POSIX path relative to the Vitest root')
    }
    if (file.project !== null && typeof file.project !== 'string')
      fail(`${at}.project`, file.project, 'null or a string')
    if (!verdicts.includes(file.verdict)) fail(`${at}.verdict`, file.verdict, verdicts.join(' | '))
    if (mode === 'off' && file.verdict !== 'unknown') fail(`${at}.verdict`, file.verdict, '"unknown" in mode off')
    if (!isNumber(file.retainedBytes) && !(file.retainedBytes === null && file.verdict === 'unknown')) {
      fail(`${at}.retainedBytes`, file.retainedBytes, 'a number (null only when unknown)')
    }
    if (file.growthBytesPerTest !== null && !isNumber(file.growthBytesPerTest)) {
      fail(`${at}.growthBytesPerTest`, file.growthBytesPerTest, 'a number or null')
    }
    checkConfidence(`${at}.confidence`, file.confidence, file.verdict)
    if (!Array.isArray(file.tests)) {
      fail(`${at}.tests`, file.tests, 'an array')
      continue
    }

    for (const [j, test] of (file.tests as unknown[]).entries()) {
      const tat = `${at}.tests[${j}]`
      if (!isRecord(test)) {
        fail(tat, test, 'an object')
        continue
      }
      if (typeof test.name !== 'string' || test.name === '') fail(`${tat}.name`, test.name, 'a non-empty string')
      if (!verdicts.includes(test.verdict)) fail(`${tat}.verdict`, test.verdict, verdicts.join(' | '))
      if (mode === 'off' && test.verdict !== 'unknown') fail(`${tat}.verdict`, test.verdict, '"unknown" in mode off')
      if (test.bytesPerIteration !== null && !isNumber(test.bytesPerIteration)) {
        fail(`${tat}.bytesPerIteration`, test.bytesPerIteration, 'a number or null')
      }
      if (mode === 'hunt' && test.verdict !== 'unknown' && !isNumber(test.bytesPerIteration)) {
        fail(`${tat}.bytesPerIteration`, test.bytesPerIteration, 'a number for a measured test in hunt mode')
      }
      checkConfidence(`${tat}.confidence`, test.confidence, test.verdict)
      if (!Number.isInteger(test.iterations) || (test.iterations as number) < 0) {
        fail(`${tat}.iterations`, test.iterations, 'an integer ≥ 0')
      }
      if (mode === 'hunt' && test.verdict !== 'unknown' && (test.iterations as number) < 2) {
        fail(`${tat}.iterations`, test.iterations, 'more than one repetition in hunt mode')
      }
    }
  }
  return problems
}

/** The entry for `file` (a path relative to the root); throws with the files present when absent. */
export function fileReport(report: QtestsReport, file: string): FileReport {
  const found = report.files.find((entry) => entry.file === file)
  if (!found) throw new Error(`no ${file} in report.json; files: ${report.files.map((entry) => entry.file).join(', ')}`)
  return found
}

/** The entry for the test with this `TestCase.fullName`; throws with the names present when absent. */
export function testReport(file: FileReport, name: string): TestReport {
  const found = file.tests.find((test) => test.name === name)
  if (!found)
    throw new Error(`no test "${name}" in ${file.file}; tests: ${file.tests.map((test) => test.name).join(' | ')}`)
  return found
}

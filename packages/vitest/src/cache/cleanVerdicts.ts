import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { writeFileAtomicSync } from './writeFileAtomic.js'

/**
 * measure: test files an earlier run measured clean, or confirmed leaking, kept in `<report dir>/cache/measure.json`
 * with the files each one loaded. While none of those changed (their content, plus the plugin
 * build, the Vitest config, the lockfile, Vitest's and Node's versions and the measure settings), the
 * next run does not probe the file again and
 * carries its verdict over, saying so. Any other verdict, a change, or a missing cache means the
 * file is measured. Deleting the cache measures every file again.
 */

export interface CleanRecord {
  /** hash of the settings and of every loaded file's content */
  fingerprint: string
  /** absolute paths of the files the test file loaded through Vitest (itself included) */
  modules: string[]
  /** when a run last measured it clean (ISO date) */
  measuredAt: string
  /** when its clean verdict came from repeating its tests (measure's confirmation) */
  cleared?: RecordedFinding
  /** confirmed leaking (measure's confirmation named its test), not clean: the file's report then, and when */
  leak?: { at: string; report: object }
}

/** measure: what a confirmation found of a growing file — what it grew per test then, and when (ISO date). */
export interface Finding {
  growthBytesPerTest: number
  at: string
}

/** A finding as the cache keeps it, with what it depended on besides the modules: the settings and the test file's own
 * content (a short id of each). */
export interface RecordedFinding extends Finding {
  settings: string
  testFile: string
}

export interface CleanHistory {
  version: 1
  files: Record<string, CleanRecord>
  /** growing files whose tests all failed when repeated, keeping little (no run can confirm or clear them): not
   * repeated again while their test file is unchanged; not clean, never reused as clean */
  failedRepeats?: Record<string, RecordedFinding>
  /** each recorded module's `size:mtimeMs:content hash`, so that an unchanged file is not read again */
  contents?: Record<string, string>
}

/** What one run found about a file, as far as the history cares. */
export interface MeasuredFile {
  /** absolute path of the test file */
  file: string
  verdict: string
  /** the verdict was carried over from the history, not measured */
  reused: boolean
  /** the files it loaded, when measured */
  modules?: string[]
  /** clean because its repeated tests did not grow (in this run or an earlier one) */
  cleared?: Finding
  /** unknown because its tests all failed when repeated and kept little (in this run or an earlier one) */
  failedRepeats?: Finding
  /** confirmed leaking in this run: its report, to carry over while nothing it loads changes */
  leakReport?: object
}

const LOCKFILES = ['pnpm-lock.yaml', 'package-lock.json', 'yarn.lock', 'bun.lock', 'bun.lockb']

/** The Vitest config file and the nearest lockfile with its package.json: dependencies load outside Vitest's module runner. */
function setupFiles(root: string, configFile: string | undefined): string[] {
  const files: string[] = []
  if (configFile) files.push(configFile)
  for (let dir = root; ; dir = path.dirname(dir)) {
    const lockfile = LOCKFILES.map((name) => path.join(dir, name)).find((file) => existsSync(file))
    if (lockfile) {
      files.push(lockfile, path.join(dir, 'package.json'))
      break
    }
    if (path.dirname(dir) === dir) break
  }
  return files
}

/** What a measure verdict depends on besides the files it loaded. */
export interface VerdictContext {
  /** the probes' build (`plugin/paths.ts`): an upgrade measures again */
  probesRunner: string
  root: string
  /** the Vitest config file, if any */
  configFile: string | undefined
  vitestVersion: string
  minBytesPerTest: number
  measureBudget: number
  project: string
}

/**
 * Everything besides the loaded files that a measure verdict depends on: the probes' build, the Vitest
 * config, the dependencies (lockfile), Vitest's and Node's versions, the floor and budget, the project.
 */
export function verdictSettings(context: VerdictContext): string {
  const { probesRunner, root, configFile, vitestVersion, minBytesPerTest, measureBudget, project } = context
  return JSON.stringify([
    fingerprint([probesRunner, ...setupFiles(root, configFile)], '', new ContentStamps({}, root)),
    vitestVersion,
    process.version,
    minBytesPerTest,
    measureBudget,
    project,
  ])
}

export function cleanHistoryPath(reportDir: string): string {
  return path.join(reportDir, 'cache', 'measure.json')
}

/**
 * The cache keeps paths relative to the Vitest root, so that it holds in a checkout at another path (CI runners
 * that build in a per-job folder); in memory they are absolute. An older cache's absolute paths read as they are.
 */
function withPaths(history: CleanHistory, convertPath: (file: string) => string): CleanHistory {
  // Files list mostly the same modules (valibot's clean files: 56 each, median, up to 486): each converted once.
  const convert = memoized(convertPath)
  const files: CleanHistory['files'] = {}
  for (const [file, record] of Object.entries(history.files))
    files[convert(file)] = { ...record, modules: record.modules.map(convert) }
  const converted: CleanHistory = { version: 1, files }
  if (history.failedRepeats)
    converted.failedRepeats = Object.fromEntries(
      Object.entries(history.failedRepeats).map(([file, record]) => [convert(file), record]),
    )
  if (history.contents)
    converted.contents = Object.fromEntries(
      Object.entries(history.contents).map(([file, entry]) => [convert(file), entry]),
    )
  return converted
}

export function loadCleanHistory(file: string, root: string): CleanHistory {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as CleanHistory
    if (data?.version === 1 && typeof data.files === 'object' && data.files !== null) {
      if (typeof data.contents !== 'object' || data.contents === null) delete data.contents
      if (typeof data.failedRepeats !== 'object' || data.failedRepeats === null) delete data.failedRepeats
      for (const [name, record] of Object.entries(data.files))
        if (!Array.isArray(record?.modules) || typeof record.fingerprint !== 'string' || !validLeak(record.leak))
          delete data.files[name]
      return withPaths(data, (relative) => path.resolve(root, relative))
    }
  } catch {
    // no cache yet, or an unreadable one: every file is measured
  }
  return { version: 1, files: {} }
}

/** A record's leak, when it has one, is a leak report: otherwise a reused file would read as clean. */
function validLeak(leak: CleanRecord['leak']): boolean {
  if (leak === undefined) return true
  const report = leak?.report as { verdict?: unknown; tests?: unknown } | undefined
  return typeof leak?.at === 'string' && report?.verdict === 'leak' && Array.isArray(report.tests)
}

export function saveCleanHistory(file: string, history: CleanHistory, root: string): void {
  writeFileAtomicSync(file, `${JSON.stringify(withPaths(history, (absolute) => relativeTo(root, absolute)))}\n`)
}

function memoized(convert: (file: string) => string): (file: string) => string {
  const done = new Map<string, string>()
  return (file) => {
    const known = done.get(file)
    if (known !== undefined) return known
    const converted = convert(file)
    done.set(file, converted)
    return converted
  }
}

/** How the cache names a file: relative to the Vitest root, with forward slashes. */
function relativeTo(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/')
}

/**
 * Each file's content hash, read once per pass. A file is known by its content, not its modification time: a CI
 * checkout gives every file a new one, and a cache kept between CI runs would never be reused. A file whose size
 * and modification time match what the history saw is not read again (`known`, from the history's `contents`).
 */
export class ContentStamps {
  readonly #seen = new Map<string, string>()
  readonly #known: Readonly<Record<string, string>>
  readonly #label: (file: string) => string

  /** `root`: fingerprints name files relative to it (see `withPaths`) */
  constructor(known: Readonly<Record<string, string>> = {}, root?: string) {
    this.#known = known
    this.#label = root === undefined ? (file) => file : memoized((file) => relativeTo(root, file))
  }

  /** how a fingerprint names the file */
  label(file: string): string {
    return this.#label(file)
  }

  /** the file's content hash, or 'missing' */
  hashOf(file: string): string {
    let entry = this.#seen.get(file)
    if (entry === undefined) {
      entry = 'missing'
      try {
        const stat = statSync(file)
        const seen = `${stat.size}:${stat.mtimeMs}:`
        const known = this.#known[file]
        entry =
          typeof known === 'string' && known.startsWith(seen)
            ? known
            : seen + createHash('sha1').update(readFileSync(file)).digest('base64')
      } catch {
        // a file that is gone changes the fingerprint
      }
      this.#seen.set(file, entry)
    }
    return entry === 'missing' ? entry : entry.slice(entry.lastIndexOf(':') + 1)
  }

  /** what the next history keeps for these files: this pass's reading, else the earlier one */
  entries(files: Iterable<string>): Record<string, string> {
    const entries: Record<string, string> = {}
    for (const file of files) {
      const entry = this.#seen.get(file) ?? this.#known[file]
      if (entry !== undefined && entry !== 'missing') entries[file] = entry
    }
    return entries
  }
}

/**
 * `settings` names everything besides the loaded files that a verdict depends on (versions, floor, budget).
 * `stamps` reads each file once for all the fingerprints of a pass: the files of a non-isolated worker list
 * most of the same modules (date-fns: 16k entries, ~1k files).
 */
export function fingerprint(modules: readonly string[], settings: string, stamps = new ContentStamps()): string {
  // One hash update per file, not one per module.
  const pieces = [...modules].sort().map((module) => `\0${stamps.label(module)}\0${stamps.hashOf(module)}`)
  return createHash('sha1').update(settings).update(pieces.join('')).digest('hex')
}

/** The test files whose clean or leak verdict still holds: nothing they loaded changed since they were measured. */
export function reusableCleanFiles(history: CleanHistory, settings: string, root: string): string[] {
  const stamps = new ContentStamps(history.contents, root)
  return Object.entries(history.files)
    .filter(([, record]) => record.fingerprint === fingerprint(record.modules, settings, stamps))
    .map(([file]) => file)
}

/** A short id of the settings a verdict was given under. */
function settingsId(settings: string): string {
  return createHash('sha1').update(settings).digest('base64').slice(0, 16)
}

/**
 * measure: what an earlier confirmation found for a test file — it grew this much per test and none of its tests
 * kept memory when repeated — while the settings and the test file itself are unchanged (what it loads may have).
 */
export function clearedEarlier(
  history: CleanHistory,
  file: string,
  settings: string,
  stamps: ContentStamps,
): Finding | undefined {
  return stillApplies(history.files[file]?.cleared, file, settings, stamps)
}

/**
 * measure: an earlier confirmation found every test of this file failing when repeated, keeping little — its tests
 * need an earlier test's state — while the settings and the test file itself are unchanged.
 */
export function failedRepeatsEarlier(
  history: CleanHistory,
  file: string,
  settings: string,
  stamps: ContentStamps,
): Finding | undefined {
  return stillApplies(history.failedRepeats?.[file], file, settings, stamps)
}

function stillApplies(
  found: RecordedFinding | undefined,
  file: string,
  settings: string,
  stamps: ContentStamps,
): Finding | undefined {
  if (!found || typeof found.growthBytesPerTest !== 'number' || typeof found.at !== 'string') return undefined
  if (found.settings !== settingsId(settings) || found.testFile !== stamps.hashOf(file)) return undefined
  return { growthBytesPerTest: found.growthBytesPerTest, at: found.at }
}

/**
 * The history after a run: measured clean files and confirmed leaks (with their report) are (re)recorded, other
 * measured verdicts forget the file; a file whose tests all failed when repeated is kept apart (`failedRepeats`),
 * never as clean. Test files no longer on disk are forgotten.
 */
export function recordRun(
  history: CleanHistory,
  files: readonly MeasuredFile[],
  settings: string,
  now: Date,
  root: string,
): CleanHistory {
  const next: CleanHistory = { version: 1, files: { ...history.files } }
  const failedRepeats = { ...history.failedRepeats }
  const stamps = new ContentStamps(history.contents, root)
  for (const file of files) {
    if (file.reused) continue
    if (file.failedRepeats)
      failedRepeats[file.file] = {
        ...file.failedRepeats,
        settings: settingsId(settings),
        testFile: stamps.hashOf(file.file),
      }
    else delete failedRepeats[file.file]
    if (file.verdict === 'leak' && file.leakReport && file.modules?.length) {
      next.files[file.file] = {
        fingerprint: fingerprint(file.modules, settings, stamps),
        modules: file.modules,
        measuredAt: now.toISOString(),
        leak: { at: now.toISOString(), report: file.leakReport },
      }
    } else if (file.verdict === 'clean' && file.modules?.length) {
      // A file that did not grow this time keeps what an earlier confirmation found, while that still applies.
      const cleared = file.cleared
        ? { ...file.cleared, settings: settingsId(settings), testFile: stamps.hashOf(file.file) }
        : clearedEarlier(history, file.file, settings, stamps) && history.files[file.file]!.cleared
      next.files[file.file] = {
        fingerprint: fingerprint(file.modules, settings, stamps),
        modules: file.modules,
        measuredAt: now.toISOString(),
        ...(cleared ? { cleared } : {}),
      }
    } else {
      delete next.files[file.file]
    }
  }
  // A test file that is gone (deleted or renamed) is forgotten, so the cache does not grow with a suite's history.
  for (const file of Object.keys(next.files)) if (stamps.hashOf(file) === 'missing') delete next.files[file]
  for (const file of Object.keys(failedRepeats)) if (stamps.hashOf(file) === 'missing') delete failedRepeats[file]
  if (Object.keys(failedRepeats).length) next.failedRepeats = failedRepeats
  next.contents = stamps.entries(new Set(Object.values(next.files).flatMap((record) => record.modules)))
  return next
}

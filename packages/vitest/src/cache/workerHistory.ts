import { readFileSync } from 'node:fs'
import path from 'node:path'
import { writeFileAtomicSync } from './writeFileAtomic.js'

/**
 * What earlier runs taught about each test file, kept in `<report dir>/cache/workers.json`: how long
 * it ran and how much memory its worker reached. The pool starts long files first, packs files by
 * memory and starts at the limit the last run ended with. A missing or unreadable cache is a first run.
 */

export interface FileRecord {
  durationMs: number
  /** Worker RSS at its highest while the file ran (forks), or heap used at its end (threads). */
  peakBytes: number | null
}

export interface HistoryData {
  version: 1
  /** The limit the last run settled at, a warm start for the next. */
  lastLimit: number | null
  files: Record<string, FileRecord>
}

const EMPTY: HistoryData = { version: 1, lastLimit: null, files: {} }

export function historyPath(reportDir: string): string {
  return path.join(reportDir, 'cache', 'workers.json')
}

export function loadHistory(file: string): HistoryData {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as HistoryData
    if (data?.version !== 1 || typeof data.files !== 'object' || data.files === null) return structuredClone(EMPTY)
    return { version: 1, lastLimit: typeof data.lastLimit === 'number' ? data.lastLimit : null, files: data.files }
  } catch {
    return structuredClone(EMPTY)
  }
}

export function saveHistory(file: string, data: HistoryData): void {
  writeFileAtomicSync(file, `${JSON.stringify(data)}\n`)
}

/**
 * Blends a new observation into a file's record: durations move halfway (a run on a busy machine should
 * not halve the next one's plan), peaks keep the larger of the old one decayed and the new one, since
 * underestimating memory is what crashes a run.
 */
export function mergeRecord(previous: FileRecord | undefined, observed: FileRecord): FileRecord {
  if (!previous) return observed
  const durationMs = Math.round((previous.durationMs + observed.durationMs) / 2)
  const peaks = [previous.peakBytes === null ? null : previous.peakBytes * 0.9, observed.peakBytes].filter(
    (value): value is number => value !== null,
  )
  return { durationMs, peakBytes: peaks.length > 0 ? Math.round(Math.max(...peaks)) : null }
}

import type { FileReport } from './schema.js'

// Pure: when each file ran, in which worker and how big it got, joined onto the report's files.

/** One file's run, ms since the run started; `pid`, `thread` and `peakBytes` come from adaptive workers only. */
export interface FileTiming {
  file: string
  /** the Vitest project when known; adaptive workers' runs name the file only */
  project?: string | null
  startMs: number
  endMs: number
  pid?: number | null
  /** a thread worker's id, when its heap was read over time */
  thread?: number
  peakBytes?: number | null
}

/**
 * Sets `startMs`, `durationMs` and, when known, `worker`, `thread` and `peakRssBytes` on each file from the runs that match
 * it (by project when the run names one). A file run more than once (a crash's retry) keeps its last run.
 */
export function attachFileTimings(files: FileReport[], runs: readonly FileTiming[]): void {
  const last = new Map<string, FileTiming>()
  for (const run of runs) {
    const key = run.project === undefined ? run.file : `${run.project ?? ''}\0${run.file}`
    const seen = last.get(key)
    if (!seen || seen.startMs <= run.startMs) last.set(key, run)
  }
  for (const file of files) {
    const run = last.get(`${file.project ?? ''}\0${file.file}`) ?? last.get(file.file)
    if (!run) continue
    file.startMs = Math.round(run.startMs)
    file.durationMs = Math.round(run.endMs - run.startMs)
    if (run.pid !== undefined) file.worker = run.pid
    if (run.thread !== undefined) file.thread = run.thread
    if (run.peakBytes !== undefined) file.peakRssBytes = run.peakBytes
  }
}

/** At most `max` of `samples`, evenly spaced, the first and the last always kept. */
export function thinSamples<T>(samples: readonly T[], max: number): T[] {
  if (samples.length <= max) return [...samples]
  if (max < 2) return samples.slice(-1)
  const kept: T[] = []
  const step = (samples.length - 1) / (max - 1)
  for (let i = 0; i < max; i++) kept.push(samples[Math.round(i * step)]!)
  return kept
}

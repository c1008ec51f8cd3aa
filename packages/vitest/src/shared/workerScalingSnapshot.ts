// What worker scaling (`pool/workerScaling.ts`) tells the reporter about a run: types only, so that report/
// reads them without importing the pool.

export interface TimelinePoint {
  t: number
  running: number
  limit: number
  rssBytes: number | null
}

export interface RetryRecord {
  file: string
  reason: string
  /** The heap limit the retry ran with, MiB (as `--max-old-space-size` counts); null when it could not be raised (see `planRetry`). */
  heapMb: number | null
  outcome: 'pending' | 'passed' | 'crashed again' | 'cancelled'
}

/** One file's run in a worker, for the report's charts and table (times in ms since the run started). */
export interface FileRun {
  file: string
  /** the worker process; null for thread workers */
  pid: number | null
  /** a thread worker's thread id, when its heap was read over time (see `ThreadMemory`) */
  thread?: number
  startMs: number
  endMs: number
  /** the worker's highest RSS sampled while the file ran (threads: the heap Vitest reported); null when not measured */
  peakBytes: number | null
  crashed: boolean
}

/** One worker process's RSS as sampled each tick while it ran a file. */
export interface WorkerMemory {
  pid: number
  samples: { t: number; rssBytes: number }[]
}

/** A thread worker's heap over time (threads share their process's RSS: the heap is what is theirs). */
export interface ThreadMemory {
  thread: number
  samples: { t: number; heapBytes: number }[]
}

export interface WorkerScalingSnapshot {
  adaptive: true
  min: number
  max: number
  memoryBudgetBytes: number
  peakConcurrency: number
  peakRssBytes: number
  limits: number[]
  timeline: TimelinePoint[]
  retries: RetryRecord[]
  fileRuns: FileRun[]
  workerMemory: WorkerMemory[]
  threadMemory: ThreadMemory[]
  /** How the run was sampled: the `sampling.*` bounds in force, samples taken, the rate now (0..1) and each change. */
  sampling: RunSampling
}

export interface RunSampling {
  baseIntervalMs: number
  minIntervalMs: number
  maxIntervalMs: number
  samples: number
  rate: number
  /** ms since the run started, and the rate from then on (1 = every `baseIntervalMs`) */
  rateChanges: { atMs: number; rate: number }[]
}

/** The reporter's view of worker scaling: told when a run starts and ends, asked for the run's snapshot. */
export interface WorkerScalingRecord {
  runStarted(): void
  runEnded(): void
  snapshot(): WorkerScalingSnapshot
}

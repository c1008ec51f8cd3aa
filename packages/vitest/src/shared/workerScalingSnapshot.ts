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
}

/** The reporter's view of worker scaling: told when a run starts and ends, asked for the run's snapshot. */
export interface WorkerScalingRecord {
  runStarted(): void
  runEnded(): void
  snapshot(): WorkerScalingSnapshot
}

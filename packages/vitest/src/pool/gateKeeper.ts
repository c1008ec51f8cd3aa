import type { ThreadHeap } from './vitestWorkers.js'
import type { Release } from './workerGate.js'

/** The worker a file started in: a process (`pid`), or a thread whose heap can be read (`thread`) or not (why). */
export interface StartedWorker {
  pid?: number
  thread?: ThreadHeap
  threadHeapUnreadable?: string
}

/** What the gated worker needs from the pool around it; `WorkerScaling` implements it. */
export interface GateKeeper {
  /** Waits for a slot for `file`; `exclusive` when it is a retry that must run alone. */
  admit(file: string, exclusive: boolean, signal: AbortSignal): Promise<Release>
  fileStarted(file: string, worker: StartedWorker): void
  fileFinished(file: string, outcome: { crashed: boolean; usedMemoryBytes?: number }): void
  /**
   * A worker died mid-file: retry it alone with the returned heap limit (MB; null: the same heap), or give
   * up (undefined). `execArgv` is the workers' own, where a forked worker's heap limit may already be set;
   * `heapFixed` says why this pool's worker cannot get more heap (undefined when it can). `reason` is the
   * crash as the keeper describes it (an abort is out of memory only when the worker's memory says so).
   */
  planRetry(
    file: string,
    crash: string,
    execArgv: readonly string[],
    heapFixed?: string,
  ): { heapMb: number | null; reason: string } | undefined
  retryFailed(file: string, reason: string): void
  /** The run was cancelled before a crashed file's retry could start. */
  retryCancelled(file: string): void
  /**
   * The current run's cancel: aborted when Vitest cancels it (`--bail`, Ctrl-C). Files still waiting at the
   * gate must not start then; Vitest believes they are running and sends its cancel to their workers, which
   * do not exist yet. A file keeps the signal of the run it belongs to.
   */
  readonly runSignal: AbortSignal
}

import { type MonitorSummary, PerformanceMonitor, type SamplingBounds } from '@qtests/core/monitor'
import type { MainProcessReport } from './schema.js'

/**
 * Vitest's main process over the user's run, through @qtests/core's PerformanceMonitor at the run's `sampling.*`
 * rate: heap, RSS, CPU, event-loop delay and GC of the process that schedules files, collects results and, with
 * thread pools, hosts the workers. A monitor that cannot start is said once; the run goes on without it.
 */
export class MainProcessWatch {
  #monitor: PerformanceMonitor | undefined
  #report: MainProcessReport | undefined
  #failed = false

  constructor(
    /** the `sampling.*` bounds in force */
    private readonly bounds: SamplingBounds,
    private readonly warn: (message: string) => void,
  ) {}

  /** A run starts: a new monitor (a monitor runs once). */
  start(): void {
    this.#monitor?.stop()
    this.#monitor = undefined
    this.#report = undefined
    try {
      this.#monitor = new PerformanceMonitor({ sampling: this.bounds }).start()
    } catch (error) {
      if (this.#failed) return
      this.#failed = true
      this.warn(
        `Vitest's main process is not monitored (the report has no mainProcess): ${(error as Error)?.message ?? error}`,
      )
    }
  }

  /** The user's run ended: the last sample; the report keeps it through the repeat run. */
  stop(): void {
    if (!this.#monitor?.running) return
    try {
      this.#report = mainProcessReport(this.#monitor.stop())
    } catch {
      // No summary: the report goes without mainProcess.
    }
  }

  /** What the report says: the run's summary once it ended, else what was seen so far (an interrupted run). */
  report(): MainProcessReport | undefined {
    if (this.#report) return this.#report
    if (!this.#monitor?.running) return undefined
    try {
      return mainProcessReport(this.#monitor.summary())
    } catch {
      return undefined
    }
  }
}

/** The report's part of a monitor summary: the figures a reader compares, not the timeline. */
function mainProcessReport(summary: MonitorSummary): MainProcessReport {
  return {
    samples: summary.samples,
    samplingRate: summary.samplingRate,
    durationMs: summary.durationMs,
    peakHeapBytes: summary.peakHeapBytes,
    peakRssBytes: summary.peakRssBytes,
    cpuShare: summary.cpuShare,
    eventLoopDelayMs: { ...summary.eventLoopDelayMs },
    gc: { count: summary.gc.count, pauseMs: summary.gc.pauseMs, maxPauseMs: summary.gc.maxPauseMs },
  }
}

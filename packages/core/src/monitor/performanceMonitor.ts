import { availableParallelism } from 'node:os'
import { createHistogram, type EventLoopUtilization, performance, type RecordableHistogram } from 'node:perf_hooks'
import v8 from 'node:v8'
import { checkKnownKeys, checkOptionsObject } from '../validate/options.js'
import {
  resolveSamplingBounds,
  type SamplingBounds,
  SamplingRateController,
  type SamplingOptions,
} from './samplingRate.js'
import { BoundedTimeline, type MonitorPoint } from './timeline.js'

export interface PerformanceMonitorOptions {
  /** Interval between samples at the full rate, ms. Default 250 (the plugin's run sampling). Same as `sampling.baseIntervalMs`. */
  intervalMs?: number
  /** Bounds of the adaptive rate; the plugin's `sampling.*` options. Set `maxIntervalMs` to the base interval for a fixed rate. */
  sampling?: SamplingOptions
}

/** Garbage collections of one kind during the monitor's run. */
export interface GcKindSummary {
  count: number
  /** Total pause, ms (V8's own measure of each collection's main-thread time). */
  pauseMs: number
}

/**
 * What the monitor saw between `start()` and `stop()` (or now). Plain JSON: it can go into a report as it is.
 * Heap figures are of the thread (V8 isolate) the monitor runs in; RSS and CPU are the whole process's.
 */
export interface MonitorSummary {
  /** Samples taken. */
  samples: number
  /** Samples taken as a share of those the base interval would have taken over the same time (0..1; 1 = never stepped down). */
  samplingRate: number
  /** The rate now (0..1), and each change of rate with its time since start, ms. */
  currentSamplingRate: number
  rateChanges: { atMs: number; rate: number }[]
  durationMs: number
  /** Heap used and RSS when `start()` was called: what the process held before the monitored work. */
  baseline: { heapUsedBytes: number; rssBytes: number }
  /** Highest heap used: the heap just before each garbage collection (where it peaks) and at every sample. */
  peakHeapBytes: number
  /** Highest resident set size: the kernel's peak when it was reached during the run, else the highest sample. */
  peakRssBytes: number
  /** This process's CPU time (all threads) over the run, as a share of all cores (0..1). */
  cpuShare: number
  /** Event-loop delay of this thread (how late a 50 ms timer fired), ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number }
  /** The longest event-loop stalls, longest first (at most 10): an interval's longest delay, and the time of the sample that ended it. */
  stalls: { atMs: number; durationMs: number }[]
  gc: {
    count: number
    pauseMs: number
    maxPauseMs: number
    /** By V8's kind: Scavenge (young generation), MarkSweepCompact (full), MinorMarkCompact, IncrementalMarking, ProcessWeakCallbacks. */
    byKind: Record<string, GcKindSummary>
  }
  /** At most 256 points over the whole run (neighbours merge as it grows). */
  timeline: MonitorPoint[]
}

const OPTION_KEYS: Record<keyof PerformanceMonitorOptions, true> = { intervalMs: true, sampling: true }
const DEFAULT_INTERVAL_MS = 250
/**
 * The event-loop delay timer's interval, ms. A stall delays the next tick by its whole length, so stalls longer
 * than this are measured in full, shorter ones in part. Each tick wakes the process: measured here alone, a
 * 20 ms timer cost 0.67% of a core, 50 ms about 0.27% (Node's `monitorEventLoopDelay` at its 10 ms default, 0.6%).
 */
const EVENT_LOOP_RESOLUTION_MS = 50
const US_PER_MS = 1000
const KEPT_STALLS = 10
const TIMELINE_POINTS = 256

/** The part of a GCProfiler entry the monitor reads (Node's types name the fields in snake case; they arrive in camel case). */
interface GcEntry {
  gcType: string
  cost: number
  beforeGC: { heapStatistics: { usedHeapSize: number } }
}

/**
 * Samples heap, RSS, CPU and event-loop delay of this process at an adaptive rate, and every garbage collection.
 * Under load (this thread's event loop or the process's CPU busy) the rate steps down 100 → 80 → 60 → 40%;
 * when idle it recovers. Peak heap does not depend on the rate: V8's GC profiler reports the heap just before
 * each collection, which is where it peaks (a `PerformanceObserver` for 'gc' entries gives pauses but not that).
 */
export class PerformanceMonitor {
  readonly #bounds: SamplingBounds
  readonly #rate: SamplingRateController
  readonly #cores = availableParallelism()
  #timer: NodeJS.Timeout | undefined
  #running = false
  #stopped = false
  #startMs = 0
  #stopMs = 0
  #samples = 0
  #lastSampleMs = 0
  #lastCpu: NodeJS.CpuUsage = { user: 0, system: 0 }
  #startCpu: NodeJS.CpuUsage = { user: 0, system: 0 }
  #endCpu: NodeJS.CpuUsage | undefined
  #lastElu: EventLoopUtilization | undefined
  /**
   * Event-loop delay from a timer of our own, recorded into an HDR histogram: how `monitorEventLoopDelay` measures
   * it, minus its flaw here. Its `reset()` (needed for each interval's longest stall) forgets its last tick, so a
   * stall starting just after a sample was lost (1 run in 5 of the stall test); a second, never-reset histogram
   * would cost a second timer.
   */
  #delayTimer: NodeJS.Timeout | undefined
  #delays: RecordableHistogram | undefined
  #lastTickMs = 0
  #intervalStallMs = 0
  #gcProfiler: v8.GCProfiler | undefined
  #startMaxRssBytes = 0
  #baseline = { heapUsedBytes: 0, rssBytes: 0 }
  #peakHeapBytes = 0
  #peakRssSampledBytes = 0
  #stalls: { atMs: number; durationMs: number }[] = []
  #gc = { count: 0, pauseMs: 0, maxPauseMs: 0, byKind: {} as Record<string, GcKindSummary> }
  #rateChanges: { atMs: number; rate: number }[] = []
  #timeline = new BoundedTimeline(TIMELINE_POINTS)

  /** `options` undefined means every default; a bad or unknown option throws one RangeError naming it. */
  constructor(options: PerformanceMonitorOptions = {}) {
    const given = checkOptionsObject('PerformanceMonitor', options)
    checkKnownKeys('PerformanceMonitor', given, Object.keys(OPTION_KEYS))
    this.#bounds = resolveSamplingBounds('PerformanceMonitor', given.intervalMs, given.sampling, DEFAULT_INTERVAL_MS)
    this.#rate = new SamplingRateController(this.#bounds)
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#running
  }

  /** Takes the baseline sample and starts sampling. A monitor runs once: a second `start()` throws. */
  start(): this {
    if (this.#running || this.#stopped)
      throw new Error('PerformanceMonitor: start() was already called; create a new monitor for another run.')
    this.#running = true
    this.#startMs = performance.now()
    this.#lastSampleMs = this.#startMs
    this.#startCpu = process.cpuUsage()
    this.#lastCpu = this.#startCpu
    this.#lastElu = performance.eventLoopUtilization()
    this.#startMaxRssBytes = process.resourceUsage().maxRSS * 1024
    this.#delays = createHistogram()
    this.#lastTickMs = this.#startMs
    this.#delayTimer = setInterval(() => this.#tick(), EVENT_LOOP_RESOLUTION_MS).unref()
    this.#gcProfiler = new v8.GCProfiler()
    this.#gcProfiler.start()
    const heapUsedBytes = v8.getHeapStatistics().used_heap_size
    const rssBytes = process.memoryUsage.rss()
    this.#baseline = { heapUsedBytes, rssBytes }
    this.#peakHeapBytes = heapUsedBytes
    this.#peakRssSampledBytes = rssBytes
    this.#schedule()
    return this
  }

  /** Takes a last sample and stops; the summary stays readable. Calling it again does nothing. */
  stop(): MonitorSummary {
    if (this.#running) {
      this.#sample(true)
      clearTimeout(this.#timer)
      clearInterval(this.#delayTimer)
      this.#gcProfiler!.stop()
      this.#running = false
      this.#stopped = true
      this.#stopMs = performance.now()
      this.#endCpu = process.cpuUsage(this.#startCpu)
    }
    return this.summary()
  }

  /** What the monitor saw so far (while running: up to the last sample). */
  summary(): MonitorSummary {
    const endMs = this.#stopped ? this.#stopMs : this.#running ? this.#lastSampleMs : this.#startMs
    const durationMs = Math.max(0, endMs - this.#startMs)
    const cpu = this.#endCpu ?? (this.#running ? diffCpu(this.#lastCpu, this.#startCpu) : { user: 0, system: 0 })
    const fullRateSamples = durationMs / this.#bounds.baseIntervalMs
    const run = this.#delays
    const delayMs = (us: number) => round3(us / US_PER_MS)
    const endMaxRssBytes = this.#stopped || this.#running ? process.resourceUsage().maxRSS * 1024 : 0
    // The kernel's peak covers the whole process life: it is this run's peak only if it rose during the run.
    const peakRssBytes = endMaxRssBytes > this.#startMaxRssBytes ? endMaxRssBytes : this.#peakRssSampledBytes
    return {
      samples: this.#samples,
      samplingRate: fullRateSamples >= 1 ? round3(Math.min(1, this.#samples / fullRateSamples)) : 1,
      currentSamplingRate: round3(this.#rate.rate),
      rateChanges: this.#rateChanges.map((change) => ({ ...change })),
      durationMs: round3(durationMs),
      baseline: { ...this.#baseline },
      peakHeapBytes: this.#peakHeapBytes,
      peakRssBytes,
      cpuShare: durationMs > 0 ? round3(cpuMs(cpu) / (durationMs * this.#cores)) : 0,
      eventLoopDelayMs:
        run === undefined || run.count === 0
          ? { p50: 0, p99: 0, max: 0 }
          : { p50: delayMs(run.percentile(50)), p99: delayMs(run.percentile(99)), max: delayMs(run.max) },
      stalls: this.#stalls.map((stall) => ({ ...stall })),
      gc: {
        count: this.#gc.count,
        pauseMs: round3(this.#gc.pauseMs),
        maxPauseMs: round3(this.#gc.maxPauseMs),
        byKind: Object.fromEntries(
          Object.entries(this.#gc.byKind).map(([kind, k]) => [kind, { count: k.count, pauseMs: round3(k.pauseMs) }]),
        ),
      },
      timeline: this.#timeline.points(),
    }
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#sample(false), this.#rate.intervalMs)
    // The monitor watches a process; it must never be what keeps one alive.
    this.#timer.unref()
  }

  #sample(last: boolean): void {
    const nowMs = performance.now()
    const wallMs = nowMs - this.#lastSampleMs
    const cpu = process.cpuUsage()
    const cpuShare = wallMs > 0 ? cpuMs(diffCpu(cpu, this.#lastCpu)) / (wallMs * this.#cores) : 0
    const elu = performance.eventLoopUtilization(this.#lastElu)
    this.#lastElu = performance.eventLoopUtilization()
    this.#lastCpu = cpu
    this.#lastSampleMs = nowMs
    const atMs = round3(nowMs - this.#startMs)

    const heapUsedBytes = v8.getHeapStatistics().used_heap_size
    const rssBytes = process.memoryUsage.rss()
    if (heapUsedBytes > this.#peakHeapBytes) this.#peakHeapBytes = heapUsedBytes
    if (rssBytes > this.#peakRssSampledBytes) this.#peakRssSampledBytes = rssBytes
    this.#drainGc(last)

    // A stall that ended just before this sample is seen once the delay timer, overdue too, has ticked.
    if (!last) this.#tick(true)
    const stallMs = round3(this.#intervalStallMs)
    this.#intervalStallMs = 0
    this.#keepStall(atMs, stallMs)

    this.#samples++
    this.#timeline.add({ atMs, heapUsedBytes, rssBytes, cpuShare: round3(cpuShare), eventLoopDelayMaxMs: stallMs })
    if (last) return
    // Load: this thread's event loop busy share, or the process's CPU over all cores (worker threads count there).
    const before = this.#rate.intervalMs
    this.#rate.record(Math.max(elu.utilization, cpuShare))
    if (this.#rate.intervalMs !== before) this.#rateChanges.push({ atMs, rate: round3(this.#rate.rate) })
    this.#schedule()
  }

  /** One tick of the delay timer: how much later than its interval it fired. A sample also ticks, if the timer is overdue. */
  #tick(fromSample = false): void {
    const nowMs = performance.now()
    const delayMs = Math.max(0, nowMs - this.#lastTickMs - EVENT_LOOP_RESOLUTION_MS)
    if (fromSample && delayMs === 0) return
    this.#lastTickMs = nowMs
    // Whole µs, at least 1: a histogram takes integers ≥ 1.
    this.#delays!.record(Math.max(1, Math.round(delayMs * US_PER_MS)))
    if (delayMs > this.#intervalStallMs) this.#intervalStallMs = delayMs
  }

  #drainGc(last: boolean): void {
    const profiler = this.#gcProfiler!
    const { statistics } = profiler.stop() as unknown as { statistics: GcEntry[] }
    // Restarted at once: the profiler keeps every entry until stopped, so it is drained at each sample.
    if (!last) profiler.start()
    for (const entry of statistics) {
      const pauseMs = entry.cost / 1000
      this.#gc.count++
      this.#gc.pauseMs += pauseMs
      if (pauseMs > this.#gc.maxPauseMs) this.#gc.maxPauseMs = pauseMs
      this.#gc.byKind[entry.gcType] ??= { count: 0, pauseMs: 0 }
      const kind = this.#gc.byKind[entry.gcType]!
      kind.count++
      kind.pauseMs += pauseMs
      const before = entry.beforeGC.heapStatistics.usedHeapSize
      if (before > this.#peakHeapBytes) this.#peakHeapBytes = before
    }
  }

  #keepStall(atMs: number, durationMs: number): void {
    if (durationMs <= 0) return
    const stalls = this.#stalls
    if (stalls.length === KEPT_STALLS && durationMs <= stalls[stalls.length - 1]!.durationMs) return
    stalls.push({ atMs, durationMs })
    stalls.sort((a, b) => b.durationMs - a.durationMs)
    if (stalls.length > KEPT_STALLS) stalls.pop()
  }
}

function diffCpu(now: NodeJS.CpuUsage, before: NodeJS.CpuUsage): NodeJS.CpuUsage {
  return { user: now.user - before.user, system: now.system - before.system }
}

function cpuMs(cpu: NodeJS.CpuUsage): number {
  return (cpu.user + cpu.system) / 1000
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000
}

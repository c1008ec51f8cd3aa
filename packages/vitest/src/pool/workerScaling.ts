import os from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import { AdaptiveLimiter } from '@qtests/core/adaptive'
import { formatBytes } from '@qtests/core/format'
import { resolveSamplingBounds, type SamplingBounds, SamplingRateController } from '@qtests/core/monitor'
import type { GateKeeper, StartedWorker } from './gateKeeper.js'
import type { ThreadHeap } from './vitestWorkers.js'
import { ABORTED, OUT_OF_MEMORY } from './workerCrash.js'
import {
  type FileRecord,
  type HistoryData,
  historyPath,
  loadHistory,
  mergeRecord,
  saveHistory,
} from '../cache/workerHistory.js'
import type {
  FileRun,
  RetryRecord,
  ThreadMemory,
  TimelinePoint,
  WorkerMemory,
  WorkerScalingRecord,
  WorkerScalingSnapshot,
} from '../shared/workerScalingSnapshot.js'
import { currentHeapMb, expectedPeakBytes, fitsMemoryBudget, mainHeapArgs, retryHeapMb } from './memoryAdmission.js'
import { DEFAULT_SAMPLING_INTERVAL_MS } from '../shared/options.js'
import { machineSampler, type ScalingSampler } from './resourceSampler.js'
import { coldAdmission, ScalingPolicy } from './scalingPolicy.js'
import { AdaptiveWorkerGate, type GateRequest, type Release } from './workerGate.js'

/**
 * The main-process half of adaptive worker scaling: one per Vitest instance, shared by its projects. It reads
 * the machine (through `ScalingSampler`), keeps the history, admits files at the gate, and leaves the tick's
 * decisions to `ScalingPolicy` (pure, in scalingPolicy.ts).
 *
 * How the limit moves (the controller is `AdaptiveLimiter` from @qtests/core, also behind
 * `rollingConcurrency`):
 * - Each finished file is one sample. Its latency is its duration divided by its duration in earlier
 *   runs, so ≈ 1 when workers do not slow each other down and > 1 when they do (CPU or I/O contention).
 *   By Little's law, while that ratio stays flat more workers mean proportionally more files per second,
 *   so the limiter grows; when it rises, throughput has stopped improving and the limiter backs off.
 *   A file with no history yet gives no sample: growth then rests on the idle-CPU rule below.
 * - Every tick (250 ms by default; longer while Vitest's main thread is busy, see `sampling`): growth is held while the CPUs are saturated, or while Vitest's main thread is (the
 *   workers then wait on it); the limit doubles while files wait behind it and both idle; memory past 85% of
 *   the budget cuts it to the files running. Reused workers (`isolate: false`) do not grow past Vitest's default, CPUs − 1.
 * - Memory: a file starts only when the run's projected RSS (Vitest's main process, running files at their
 *   expected peaks from history, plus the new one) fits in 95% of `memoryBudget`; with a tight budget and no
 *   history, unmeasured files start one at a time until one has finished.
 */

export interface WorkerScalingSettings {
  min: number
  max: number
  memoryBudgetBytes: number
  reportDir: string
  root: string
  /** Save what this run learnt for the next (false: the repeat run, whose files take far longer than usual). */
  keepHistory?: boolean
  /** How the machine is read; the real one by default (tests pass their own). */
  sampler?: ScalingSampler
  /** The clock, ms; `Date.now` by default. */
  now?: () => number
  /** The sampling rate's bounds (the plugin's `sampling.*`); 250 ms stepping down to 625 ms by default. */
  sampling?: SamplingBounds
  /** CPUs of the machine; `os.availableParallelism()` by default. */
  cores?: number
  /** Logs one line through Vitest's logger (main process only). */
  log: (message: string) => void
  /**
   * Subscribes to Vitest's cancel of the current run. Vitest forgets its listeners when a run starts, so
   * this is called once per run, at the run's first admission.
   */
  onCancel?: (listener: (reason: unknown) => void) => void
}

const DEFAULT_SAMPLING = resolveSamplingBounds('WorkerScaling', undefined, undefined, DEFAULT_SAMPLING_INTERVAL_MS)
/** Past this share of the memory budget the run is sampled at the shortest interval, whatever the main thread's load. */
const NEAR_BUDGET_SHARE = 0.7
/** An aborted worker whose RSS had reached this share of its heap limit ran out of heap. */
const OUT_OF_HEAP_SHARE = 0.75
/**
 * What a file never seen is assumed to reach before any worker has been measured: small files' fork
 * workers peaked at 60–96 MB in examples/worker-scaling (its history cache); 128 MB leaves room above that.
 */
export const FRESH_WORKER_BYTES = 128 * 1024 ** 2

interface RunningFile {
  file: string
  pid: number | undefined
  thread: ThreadHeap | undefined
  startedAt: number
  peakBytes: number
  expectedPeakBytes: number
}

export class WorkerScaling implements GateKeeper, WorkerScalingRecord {
  readonly settings: WorkerScalingSettings
  readonly gate: AdaptiveWorkerGate
  readonly limiter: AdaptiveLimiter
  #history: HistoryData
  #historyFile: string
  #running = new Map<string, RunningFile>()
  /** Forked workers alive (with isolate off they outlive their file); threads have none. */
  #workerPids = new Set<number>()
  readonly #sampler: ScalingSampler
  readonly #now: () => number
  readonly #cores: number
  #policy: ScalingPolicy
  #isolated = true
  #timer: NodeJS.Timeout | undefined
  readonly #samplingBounds: SamplingBounds
  /** Steps the tick's interval down while Vitest's main thread is busy: sampling competes with it for that thread. */
  #samplingRate: SamplingRateController
  #nextTickMs: number
  /** when the machine was last read (the CPU and main-thread counters restart there) */
  #lastSampleAt = 0
  #samples = 0
  #rateChanges: { atMs: number; rate: number }[] = []
  #runStartedAt: number
  #mainRss: number
  #totalRss = 0
  #largestPeakSeen = 0
  /** a file of this run finished with a measured peak: the cold run's one-at-a-time start is over (see coldAdmission) */
  #finishedPeakSeen = false
  #timeline: TimelinePoint[] = []
  #limits: number[] = []
  #peakConcurrency = 0
  #peakRss = 0
  #retries: RetryRecord[] = []
  #fileRuns: FileRun[] = []
  /** RSS samples by worker pid: already read for admission each tick, kept for the report's chart. */
  #workerMemory = new Map<number, WorkerMemory['samples']>()
  /** Heap samples by thread id, for thread workers: read from the main thread, without the worker's help. */
  #threadMemory = new Map<number, ThreadMemory['samples']>()
  /** Thread heaps being read (the read is asynchronous): a slow one is not asked again before it answers. */
  #threadReads = new Set<number>()
  #threadHeapNoted = false
  /** The memory a crashed file's worker had reached, by file, to tell running out of heap from another abort. */
  #crashPeaks = new Map<string, number>()
  /** Aborted when Vitest cancels the run (`--bail`, Ctrl-C); a new one for each run in watch mode. */
  #runCancel = new AbortController()
  #cancelSubscribed = false

  constructor(settings: WorkerScalingSettings) {
    this.settings = settings
    this.#sampler = settings.sampler ?? machineSampler()
    this.#now = settings.now ?? Date.now
    this.#cores = settings.cores ?? os.availableParallelism()
    this.#samplingBounds = settings.sampling ?? DEFAULT_SAMPLING
    this.#samplingRate = new SamplingRateController(this.#samplingBounds)
    this.#nextTickMs = this.#samplingRate.intervalMs
    this.#runStartedAt = this.#now()
    this.#mainRss = this.#sampler.mainRss()
    this.#policy = this.#newPolicy()
    this.#historyFile = historyPath(settings.reportDir)
    this.#history = loadHistory(this.#historyFile)
    const warm = this.#history.lastLimit ?? Math.min(this.#cores, settings.max)
    const initial = Math.min(settings.max, Math.max(settings.min, warm))
    this.limiter = new AdaptiveLimiter({
      initialLimit: initial,
      minLimit: settings.min,
      maxLimit: settings.max,
      // A suite has tens of files, not thousands of requests: decide every two, and let a file's duration
      // vary by a quarter from run to run before calling it contention.
      sampleSize: 2,
      latencyThreshold: 1.25,
    })
    this.gate = new AdaptiveWorkerGate(initial, (request, admitted) => this.#admitsMemory(request.file, admitted))
    this.limiter.onChange((limit) => {
      this.gate.limit = limit
      this.#mark()
    })
  }

  #newPolicy(): ScalingPolicy {
    const { min, max, memoryBudgetBytes } = this.settings
    return new ScalingPolicy({ min, max, memoryBudgetBytes, cores: this.#cores, isolated: this.#isolated })
  }

  /**
   * A project's workers keep their module graph from file to file (`isolate: false`): another worker loads it
   * again, so the limit does not grow past CPUs − 1 (see `PolicySettings.isolated`). True the first time.
   */
  workersKeepModules(): boolean {
    if (!this.#isolated) return false
    this.#isolated = false
    this.#policy = this.#newPolicy()
    this.limiter.setBounds(this.settings.min, this.#policy.ceiling)
    return true
  }

  /** The most files the limit may ever allow. */
  get ceiling(): number {
    return this.#policy.ceiling
  }

  /** Called when Vitest starts a run (also each rerun in watch mode). */
  runStarted(): void {
    if (this.#runCancel.signal.aborted) this.#runCancel = new AbortController()
    this.#cancelSubscribed = false
    this.#runStartedAt = this.#now()
    this.#timeline = []
    this.#limits = []
    this.#peakConcurrency = 0
    this.#peakRss = 0
    this.#retries = []
    this.#fileRuns = []
    this.#workerMemory = new Map()
    this.#threadMemory = new Map()
    this.#samples = 0
    this.#rateChanges = []
    this.#samplingRate = new SamplingRateController(this.#samplingBounds)
    this.#nextTickMs = this.#samplingRate.intervalMs
    this.#mark()
  }

  /** Called when the run ends: stops sampling and keeps what this run learnt for the next. */
  runEnded(): void {
    this.#stopTicking()
    this.#mark()
    if (this.settings.keepHistory === false) return
    this.#history.lastLimit = this.limiter.limit
    try {
      saveHistory(this.#historyFile, this.#history)
    } catch (error) {
      this.settings.log(`could not save worker history to ${this.#historyFile}: ${(error as Error).message}`)
    }
  }

  snapshot(): WorkerScalingSnapshot {
    return {
      adaptive: true,
      min: this.settings.min,
      max: this.ceiling,
      memoryBudgetBytes: this.settings.memoryBudgetBytes,
      peakConcurrency: this.#peakConcurrency,
      peakRssBytes: this.#peakRss,
      limits: [...this.#limits],
      timeline: [...this.#timeline],
      retries: this.#retries.map((r) => ({ ...r })),
      fileRuns: this.#fileRuns.map((run) => ({ ...run })),
      workerMemory: [...this.#workerMemory].map(([pid, samples]) => ({ pid, samples: [...samples] })),
      threadMemory: [...this.#threadMemory].map(([thread, samples]) => ({ thread, samples: [...samples] })),
      sampling: {
        baseIntervalMs: this.#samplingBounds.baseIntervalMs,
        minIntervalMs: this.#samplingBounds.minIntervalMs,
        maxIntervalMs: this.#samplingBounds.maxIntervalMs,
        samples: this.#samples,
        rate: this.#samplingBounds.baseIntervalMs / this.#nextTickMs,
        rateChanges: this.#rateChanges.map((change) => ({ ...change })),
      },
    }
  }

  get runSignal(): AbortSignal {
    return this.#runCancel.signal
  }

  /**
   * Vitest cancelled the run: files waiting at the gate give up their turn (their workers report them
   * skipped); files already running hear Vitest's own cancel and finish as Vitest decides.
   */
  cancelRun(reason: unknown): void {
    this.#runCancel.abort(reason)
  }

  admit(file: string, exclusive: boolean, signal: AbortSignal): Promise<Release> {
    if (!this.#cancelSubscribed) {
      this.#cancelSubscribed = true
      this.settings.onCancel?.((reason) => this.cancelRun(reason))
    }
    this.#startTicking()
    const record = this.#record(file)
    return this.gate.acquire(
      { file, priority: record?.durationMs ?? 0, exclusive },
      AbortSignal.any([signal, this.#runCancel.signal]),
    )
  }

  fileStarted(file: string, { pid, thread, threadHeapUnreadable }: StartedWorker): void {
    const record = this.#record(file)
    if (threadHeapUnreadable && !this.#threadHeapNoted) {
      this.#threadHeapNoted = true
      this.settings.log(
        `thread workers' memory is not charted over time: ${threadHeapUnreadable}; files keep the heap Vitest reports at their end (pool 'forks' or a newer Node charts it)`,
      )
    }
    this.#running.set(file, {
      file,
      pid,
      thread,
      startedAt: this.#now(),
      peakBytes: 0,
      expectedPeakBytes: expectedPeakBytes(record?.peakBytes, this.#largestPeakSeen, FRESH_WORKER_BYTES),
    })
    if (pid !== undefined) this.#workerPids.add(pid)
    // Where the file's memory starts, for the report's chart (one /proc read).
    this.#sampleFile(this.#running.get(file)!)
    // A tick between the admission and the worker's start found nothing running and stopped: sample this file.
    this.#startTicking()
    this.#peakConcurrency = Math.max(this.#peakConcurrency, this.#running.size)
    this.#mark()
  }

  fileFinished(file: string, outcome: { crashed: boolean; usedMemoryBytes?: number }): void {
    const running = this.#running.get(file)
    if (!running) return
    this.#running.delete(file)
    this.#sampleFile(running)
    const durationMs = this.#now() - running.startedAt
    // A thread's peak: the highest heap sampled or the one Vitest reported at the end (null when neither).
    const threadPeak = Math.max(running.peakBytes, outcome.usedMemoryBytes ?? 0)
    const peakBytes = running.pid !== undefined ? running.peakBytes : threadPeak > 0 ? threadPeak : null
    if (peakBytes !== null) this.#largestPeakSeen = Math.max(this.#largestPeakSeen, peakBytes)
    if (peakBytes !== null && !outcome.crashed) this.#finishedPeakSeen = true
    const key = this.#key(file)
    const startMs = running.startedAt - this.#runStartedAt
    this.#fileRuns.push({
      file: key,
      pid: running.pid ?? null,
      ...(running.thread ? { thread: running.thread.threadId } : {}),
      startMs,
      endMs: startMs + durationMs,
      peakBytes: peakBytes || null,
      crashed: outcome.crashed,
    })
    const previous = this.#history.files[key]
    const retry = this.#retries.find((r) => r.file === key && r.outcome === 'pending')
    if (retry && !outcome.crashed) retry.outcome = 'passed'
    if (!outcome.crashed) {
      // A file with no earlier duration says nothing about contention. Fed as a neutral ratio, it let slow start
      // double a cold cpu-bound run past the CPUs (bench:workers cpu-bound, 2 → 4 on 2 CPUs): growth without
      // history rests on the idle-CPU rule alone.
      if (previous && previous.durationMs > 0)
        this.limiter.record({ latency: durationMs / previous.durationMs, ok: true, inFlight: this.#running.size + 1 })
      this.#history.files[key] = mergeRecord(previous, { durationMs, peakBytes })
    } else {
      this.#crashPeaks.set(key, peakBytes ?? 0)
      this.limiter.record({ latency: 1, ok: false, inFlight: this.#running.size + 1 })
      // Remember how big it got, so the retry and the next run plan for it.
      this.#history.files[key] = {
        durationMs: previous?.durationMs ?? durationMs,
        peakBytes: Math.max(peakBytes ?? 0, previous?.peakBytes ?? 0),
      }
    }
    this.#mark()
  }

  /** `heapFixed`: why this pool's retry cannot get more heap (undefined when it can). */
  planRetry(
    file: string,
    crash: string,
    execArgv: readonly string[],
    heapFixed?: string,
  ): { heapMb: number | null; reason: string } | undefined {
    const key = this.#key(file)
    if (this.#retries.some((r) => r.file === key)) return undefined
    const reason = this.#describeCrash(key, crash, execArgv)
    const heapMb = heapFixed ? null : retryHeapMb(execArgv, defaultHeapMb())
    this.#retries.push({ file: key, reason, heapMb, outcome: 'pending' })
    this.settings.log(
      `${key}: ${reason}; running it again alone${heapMb ? ` with a ${heapMb} MiB heap` : ` (its heap cannot be raised: ${heapFixed})`} so no test is lost`,
    )
    return { heapMb, reason }
  }

  retryFailed(file: string, crash: string): void {
    const key = this.#key(file)
    const retry = this.#retries.find((r) => r.file === key)
    if (retry) retry.outcome = 'crashed again'
    const reason = this.#describeCrash(key, crash, retry?.heapMb ? [`--max-old-space-size=${retry.heapMb}`] : [])
    const peak = this.#history.files[key]?.peakBytes
    // A thread has no RSS of its own to report: the heap it had is the memory known to have run out.
    const heapMb =
      retry?.heapMb ?? currentHeapMb(mainHeapArgs(process.execArgv, process.env.NODE_OPTIONS)) ?? defaultHeapMb()
    const seen = peak ? `; its worker reached ${formatBytes(peak)}` : `; its heap limit was ${heapMb} MiB`
    const advice = reason.includes('heap out of memory')
      ? 'give this file more memory or split it'
      : 'it does not crash for want of memory'
    this.settings.log(`${key} crashed again when run alone (${reason})${seen}. The run fails: ${advice}.`)
  }

  /**
   * A worker that aborted ran out of heap only if it got near its heap limit: the same signal comes from a
   * native crash or `process.abort()`, and "give it more memory" would send the user the wrong way.
   */
  #describeCrash(key: string, crash: string, execArgv: readonly string[]): string {
    if (crash !== ABORTED) return crash
    const peak = this.#crashPeaks.get(key)
    if (peak === undefined || peak === 0) return crash
    const heapMb =
      currentHeapMb(execArgv) ??
      currentHeapMb(mainHeapArgs(process.execArgv, process.env.NODE_OPTIONS)) ??
      defaultHeapMb()
    if (peak >= OUT_OF_HEAP_SHARE * heapMb * 1024 ** 2) return OUT_OF_MEMORY
    return `${crash} at ${formatBytes(peak)}, far from its ${heapMb} MiB heap: not out of memory (a native crash, or process.abort())`
  }

  retryCancelled(file: string): void {
    const retry = this.#retries.find((r) => r.file === this.#key(file) && r.outcome === 'pending')
    if (retry) retry.outcome = 'cancelled'
  }

  #expectedPeak(file: string): number {
    return expectedPeakBytes(this.#record(file)?.peakBytes, this.#largestPeakSeen, FRESH_WORKER_BYTES)
  }

  #record(file: string): FileRecord | undefined {
    return this.#history.files[this.#key(file)]
  }

  #key(file: string): string {
    return path.relative(this.settings.root, file).split(path.sep).join('/')
  }

  /**
   * `admitted` is every file the gate let in, including ones granted a moment ago whose worker has not
   * started yet: those count at their expected peak, or a burst of admissions would each see the same room.
   */
  #admitsMemory(file: string, admitted: readonly GateRequest[]): boolean {
    const running = admitted.map((request) => {
      const started = this.#running.get(request.file)
      if (started)
        return {
          currentBytes: started.pid !== undefined ? started.peakBytes : undefined,
          expectedPeakBytes: started.expectedPeakBytes,
        }
      return { currentBytes: undefined, expectedPeakBytes: this.#expectedPeak(request.file) }
    })
    const measured = (name: string) => this.#record(name)?.peakBytes != null
    const cold = coldAdmission({
      candidateMeasured: measured(file),
      peakSeen: this.#finishedPeakSeen,
      unmeasuredRunning: admitted.filter((request) => !measured(request.file)).length,
      budgetBytes: this.settings.memoryBudgetBytes,
      mainBytes: this.#mainRss,
      freshWorkerBytes: FRESH_WORKER_BYTES,
      cores: this.#cores,
    })
    return (
      cold &&
      fitsMemoryBudget({
        budgetBytes: this.settings.memoryBudgetBytes,
        measuredTotalBytes: this.#totalRss,
        baseBytes: this.#mainRss,
        running,
        candidatePeakBytes: this.#expectedPeak(file),
      })
    )
  }

  #startTicking(): void {
    if (this.#timer) return
    this.#sampler.cpuBusy()
    this.#sampler.mainBusy()
    this.#lastSampleAt = this.#now()
    this.#schedule()
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#tick()
    }, this.#nextTickMs)
    this.#timer.unref()
  }

  #stopTicking(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** The wait before the next tick, ms: what the sampling rate allows now (see `sampling`). */
  get samplingIntervalMs(): number {
    return this.#nextTickMs
  }

  #tick(): void {
    try {
      for (const running of this.#running.values()) this.#sampleFile(running)
      const memory = this.#sampler.runRss(this.#workerPids)
      for (const pid of memory.gone) this.#workerPids.delete(pid)
      this.#totalRss = memory.totalBytes
      this.#mainRss = memory.mainBytes
      this.#peakRss = Math.max(this.#peakRss, this.#totalRss)
      const mainBusy = this.#sampler.mainBusy()
      const atMs = this.#now()
      const spanMs = atMs - this.#lastSampleAt
      this.#lastSampleAt = atMs
      const decision = this.#policy.tick({
        atMs,
        spanMs,
        cpuBusy: this.#sampler.cpuBusy(),
        mainBusy,
        totalRssBytes: this.#totalRss,
        running: this.gate.running,
        waiting: this.gate.waiting,
        limit: this.limiter.limit,
      })
      this.limiter.holdGrowth(decision.holdGrowth)
      if (decision.cutTo !== undefined) this.limiter.reduce(decision.cutTo / this.limiter.limit, 'memory')
      if (decision.growBy !== undefined) this.limiter.grow(decision.growBy, 'idle cpu')
      this.#mark()
      // Memory may have been freed since the last admission was refused.
      this.gate.pump()
      this.#samples++
      this.#nextSamplingInterval(mainBusy)
      if (this.#running.size === 0 && this.gate.waiting === 0) this.#stopTicking()
      else if (!this.#timer) this.#schedule()
    } catch (error) {
      // Sampling must never take the run down: stop it, say so once, keep the gate as it is.
      this.#stopTicking()
      this.settings.log(`worker scaling stopped sampling: ${(error as Error).message}`)
    }
  }

  /**
   * The rate follows the load of Vitest's main thread, which the sampling shares; near the memory budget the run
   * is sampled at the shortest interval, as a file's memory can outgrow the budget between two long ones.
   */
  #nextSamplingInterval(mainBusy: number): void {
    const interval = this.#samplingRate.record(Number.isFinite(mainBusy) ? Math.max(0, mainBusy) : 0)
    const nearBudget = this.#totalRss >= NEAR_BUDGET_SHARE * this.settings.memoryBudgetBytes
    const next = nearBudget ? this.#samplingBounds.minIntervalMs : interval
    // The report shows the rate the ticks ran at, the near-budget one included.
    if (next !== this.#nextTickMs)
      this.#rateChanges.push({
        atMs: this.#now() - this.#runStartedAt,
        rate: this.#samplingBounds.baseIntervalMs / next,
      })
    this.#nextTickMs = next
  }

  /** Samples the machine now (what a tick does); for tests that drive the clock themselves. */
  tickNow(): void {
    this.#tick()
  }

  #sampleFile(running: RunningFile): void {
    if (running.thread) {
      this.#sampleThread(running, running.thread)
      return
    }
    if (running.pid === undefined) return
    const rss = this.#sampler.processRss(running.pid)
    if (rss === undefined) return
    running.peakBytes = Math.max(running.peakBytes, rss)
    const samples = this.#workerMemory.get(running.pid) ?? []
    samples.push({ t: this.#now() - this.#runStartedAt, rssBytes: rss })
    this.#workerMemory.set(running.pid, samples)
    // A first run's guess for files never seen: the biggest worker so far, running ones included.
    this.#largestPeakSeen = Math.max(this.#largestPeakSeen, running.peakBytes)
  }

  /** A thread's heap, read asynchronously; the sample keeps the time it was asked at. */
  #sampleThread(running: RunningFile, thread: ThreadHeap): void {
    if (this.#threadReads.has(thread.threadId)) return
    this.#threadReads.add(thread.threadId)
    const t = this.#now() - this.#runStartedAt
    thread
      .usedBytes()
      .then((bytes) => {
        running.peakBytes = Math.max(running.peakBytes, bytes)
        const samples = this.#threadMemory.get(thread.threadId) ?? []
        samples.push({ t, heapBytes: bytes })
        this.#threadMemory.set(thread.threadId, samples)
      })
      // The thread ended between the ask and the answer: nothing to chart.
      .catch(() => {})
      .finally(() => this.#threadReads.delete(thread.threadId))
  }

  #mark(): void {
    const limit = this.gate.limit
    if (this.#limits.at(-1) !== limit) this.#limits.push(limit)
    const point = {
      t: this.#now() - this.#runStartedAt,
      running: this.gate.running,
      limit,
      rssBytes: this.#totalRss || null,
    }
    const last = this.#timeline.at(-1)
    // Ticks that change nothing add nothing: the timeline stays readable for long runs.
    if (last && last.running === point.running && last.limit === point.limit && last.rssBytes === point.rssBytes) return
    this.#timeline.push(point)
  }
}

/** This process's heap limit in MiB: what a worker gets when nothing sets its own. */
function defaultHeapMb(): number {
  return Math.round(v8.getHeapStatistics().heap_size_limit / 1024 ** 2)
}

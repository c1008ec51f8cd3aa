import { performance } from 'node:perf_hooks'
import { type MonitorSummary, PerformanceMonitor } from '../monitor/performanceMonitor.js'
import { readHeap, oldGenerationLimitBytes } from './heapReading.js'
import { HttpSenders } from './httpSenders.js'
import { LatencyRecorder, type LatencySummary, type LoadTimelinePoint } from './latencyRecorder.js'
import { MemoryModeController, MODE_FACTORS, type ModeSwitch } from './memoryModes.js'
import { type LoadTesterOptions, type ResolvedLoadOptions, resolveLoadOptions } from './options.js'
import { ProgressLine } from './progress.js'
import { RequestLoop } from './requestLoop.js'
import { splitShares } from './shares.js'
import { checkThresholds, type LoadThresholds, type ThresholdMiss } from './thresholds.js'

/**
 * What a load test measured. Plain JSON (no Infinity, no functions), so it goes into a report as it is: the
 * Vitest plugin's `loadTest()` puts it in the test's `meta.qtestsLoad`.
 */
export interface LoadTestResult {
  /** The URL, or `function <name>`. */
  target: string
  /** `open` (arrival rate) or `closed` (concurrency); the memory modes are in `modes`. */
  mode: 'open' | 'closed'
  startedAt: string
  /** From the first request to the last answer, ms. */
  durationMs: number
  /** Requests that finished (answered or failed). */
  requests: number
  errors: number
  /** errors / requests (0 when there were none). */
  errorRate: number
  /** requests / duration, per second. */
  rps: number
  /** Latency of successful requests, ms: open model from when each request was due, closed model from when it was sent. */
  latencyMs: LatencySummary
  /**
   * Open model: how late requests were sent after they were due, ms — part of `latencyMs` the target may not be
   * to blame for (every slot busy waiting for it, or the sending thread short of CPU); null in the closed model.
   */
  sendLagMs: { p50: number; p99: number; max: number } | null
  /**
   * Open model: latency of successful requests from when each was actually sent, ms — what tools that measure from
   * the send (autocannon, wrk) report; `latencyMs` minus the sender's own lateness. Null in the closed model.
   */
  fromSendMs: { p50: number; p90: number; p99: number; max: number } | null
  /** The memory mode at the start (`normal`) and every switch since, with the time (ms since the start) and why. */
  modes: ModeSwitch[]
  /** Why sending stopped: the duration passed, the request count was sent, or the heap came near its limit. */
  stoppedBy: 'duration' | 'requests' | 'memory'
  /** With `stoppedBy: 'memory'`: when and why. */
  stopReason: string | null
  /** Open model: requests that were due before the end but never sent, because every slot stayed busy. */
  unsent: number
  /** Sender threads at the end (URL targets); 0 when the target is a function (it runs in the calling thread). */
  threads: number
  settings: {
    rate: number | null
    concurrency: number
    durationMs: number | null
    requests: number | null
    timeoutMs: number
  }
  thresholds: { limits: LoadThresholds; passed: boolean; misses: ThresholdMiss[] }
  /** Distinct error messages, most frequent first. */
  errorMessages: { message: string; count: number }[]
  /** One point per second: requests, errors, latency percentiles and the memory mode. */
  timeline: LoadTimelinePoint[]
  /** The process during the run: heap, RSS, CPU, event-loop delay, GC. */
  monitor: MonitorSummary
}

/** Thrown by `assertLoadResult` (and `loadTest()`): names each missed threshold with the measured value, or the early stop. */
export class LoadTestError extends Error {
  override readonly name = 'LoadTestError'
  readonly misses: ThresholdMiss[]
  readonly result: LoadTestResult

  constructor(result: LoadTestResult) {
    const problems = result.thresholds.misses.map((miss) => miss.message)
    if (result.stoppedBy === 'memory') problems.unshift(result.stopReason ?? 'stopped early: heap near its limit')
    super(`load test of ${result.target}: ${problems.join('; ')}`)
    this.misses = result.thresholds.misses
    this.result = result
  }
}

/** Throws a `LoadTestError` when the run missed a threshold or stopped early for memory. */
export function assertLoadResult(result: LoadTestResult): void {
  if (!result.thresholds.passed || result.stoppedBy === 'memory') throw new LoadTestError(result)
}

const MEMORY_CHECK_EVERY_MS = 50
const PROGRESS_EVERY_MS = 250
const SCALE_CHECK_EVERY_MS = 1_000

/**
 * Sends load to a URL or an async function and measures latency, throughput and errors, stepping the load down
 * (normal → reduced → minimal) as the heap nears its limit and back up when it has room.
 *
 * ```ts
 * const result = await new LoadTester({ target: 'http://127.0.0.1:3000/users', rate: 500, durationMs: 10_000, thresholds: { p99Ms: 50 } }).run()
 * ```
 */
export class LoadTester {
  readonly #options: ResolvedLoadOptions

  /** Validates the options; a bad or unknown one throws one RangeError naming it. */
  constructor(options: LoadTesterOptions) {
    this.#options = resolveLoadOptions(options)
  }

  async run(): Promise<LoadTestResult> {
    const monitor = new PerformanceMonitor().start()
    try {
      return await this.#run(monitor)
    } finally {
      // Stopped on every path: a running monitor keeps collecting GC entries.
      monitor.stop()
    }
  }

  async #run(monitor: PerformanceMonitor): Promise<LoadTestResult> {
    const o = this.#options
    const recorder = new LatencyRecorder()
    const progress = o.progress ? new ProgressLine() : undefined
    const sender = o.url === undefined ? new FunctionSender(o, recorder) : new HttpSenders(o, recorder)
    await sender.prepare()
    const startedAt = new Date().toISOString()
    const runStartMs = performance.now()
    const sinceStart = () => performance.now() - runStartMs
    const modes = new MemoryModeController()
    const limitBytes = Math.min(oldGenerationLimitBytes(), o.memoryLimitBytes ?? Number.POSITIVE_INFINITY)
    // Mutated by the memory guard's callback (TypeScript narrows a plain `let` to its initial value here).
    const stop: { by: LoadTestResult['stoppedBy'] } = { by: 'duration' }
    let stopReason: string | null = null
    const timers: NodeJS.Timeout[] = []
    if (o.memory) {
      timers.push(
        setInterval(() => {
          const decision = modes.update(sinceStart(), readHeap(limitBytes))
          if (decision.changed) {
            recorder.setMode(decision.mode)
            sender.setFactor(MODE_FACTORS[decision.mode])
          }
          if (decision.stop && stop.by !== 'memory') {
            stop.by = 'memory'
            const heap = readHeap(limitBytes)
            stopReason = `stopped sending at ${(sinceStart() / 1000).toFixed(1)} s: heap at ${Math.round((heap.usedBytes / heap.limitBytes) * 100)}% of its limit even in minimal mode`
            sender.stop()
          }
        }, MEMORY_CHECK_EVERY_MS),
      )
    }
    if (progress?.live)
      timers.push(
        setInterval(() => progress.update(progressText(o, recorder, sinceStart(), modes.mode)), PROGRESS_EVERY_MS),
      )
    if (sender instanceof HttpSenders) timers.push(setInterval(() => sender.maybeAddThread(), SCALE_CHECK_EVERY_MS))
    // The senders stop themselves at the end; this ends closed-model loops still waiting for an answer. It runs a
    // little after the end, as Node fires a timer up to a millisecond early (a sender stopped before its own end
    // would leave a request due before the end neither sent nor counted).
    if (Number.isFinite(o.durationMs)) timers.push(setTimeout(() => sender.stop(true), o.durationMs + 2))

    let unsent: number
    try {
      sender.start(runStartMs)
      unsent = await sender.finished()
    } finally {
      for (const timer of timers) clearTimeout(timer)
    }
    const durationMs = sinceStart()
    if (stop.by !== 'memory' && recorder.requests >= o.requests) stop.by = 'requests'
    const workerError = sender instanceof HttpSenders ? sender.workerError : undefined
    if (workerError !== undefined)
      throw new Error(`LoadTester: a sender thread failed: ${workerError.message}`, { cause: workerError })

    const recorded = recorder.finish()
    const rps = durationMs > 0 ? (recorded.requests / durationMs) * 1000 : 0
    const measured = { requests: recorded.requests, errors: recorded.errors, rps, latencyMs: recorded.latencyMs }
    const misses = checkThresholds(measured, o.thresholds)
    const result: LoadTestResult = {
      target: o.targetName,
      mode: o.mode,
      startedAt,
      durationMs: round1(durationMs),
      requests: recorded.requests,
      errors: recorded.errors,
      errorRate: recorded.requests === 0 ? 0 : recorded.errors / recorded.requests,
      rps: round1(rps),
      latencyMs: recorded.latencyMs,
      sendLagMs: recorded.sendLagMs,
      fromSendMs: recorded.fromSendMs,
      modes: modes.switches,
      stoppedBy: stop.by,
      stopReason,
      unsent,
      threads: sender.threads,
      settings: {
        rate: o.mode === 'open' ? o.rate : null,
        concurrency: o.concurrency,
        durationMs: Number.isFinite(o.durationMs) ? o.durationMs : null,
        requests: Number.isFinite(o.requests) ? o.requests : null,
        timeoutMs: o.timeoutMs,
      },
      thresholds: { limits: o.thresholds, passed: misses.length === 0, misses },
      errorMessages: recorded.errorMessages,
      timeline: recorded.timeline,
      monitor: monitor.stop(),
    }
    progress?.done(summaryLine(result))
    return result
  }
}

/** A function target: one request loop in the calling thread (a function cannot be moved to another thread). */
class FunctionSender {
  readonly #options: ResolvedLoadOptions
  readonly #recorder: LatencyRecorder
  #loop!: RequestLoop
  #runStartMs = 0
  #ended = false
  readonly threads = 0

  constructor(options: ResolvedLoadOptions, recorder: LatencyRecorder) {
    this.#options = options
    this.#recorder = recorder
  }

  async prepare(): Promise<void> {}

  start(runStartMs: number): void {
    const options = this.#options
    const recorder = this.#recorder
    this.#runStartMs = runStartMs
    const target = options.target as () => unknown
    let claimed = 0
    this.#loop = new RequestLoop({
      share: splitShares(options.mode, options.rate, options.concurrency, 1, 1)[0]!,
      endMs: runStartMs + options.durationMs,
      onSend: (lagMs) => recorder.recordSendLag(lagMs),
      claim: () => {
        if (claimed >= options.requests) return false
        // The last request is sent: stop now rather than when a loop next asks (it may never answer).
        if (++claimed === options.requests) queueMicrotask(() => this.#loop.stop())
        return true
      },
      issue: (done) => {
        let answer: unknown
        try {
          answer = target()
        } catch (error) {
          queueMicrotask(() => done(errorMessage(error)))
          return
        }
        if (typeof (answer as PromiseLike<unknown> | null)?.then === 'function') {
          ;(answer as PromiseLike<unknown>).then(
            () => done(undefined),
            (error: unknown) => done(errorMessage(error)),
          )
        } else queueMicrotask(() => done(undefined))
      },
      onResult: (finishedAtMs, latencyMs, error, fromSendMs) => {
        // An answer after the end's wait ran out was already counted as an error.
        if (this.#ended) return
        recorder.record(finishedAtMs - runStartMs, latencyMs, error !== undefined)
        if (error === undefined && options.mode === 'open') recorder.recordFromSend(fromSendMs)
        if (error !== undefined) recorder.countError(error)
      },
    })
    this.#loop.start(runStartMs)
  }

  setFactor(factor: number): void {
    const { mode, rate, concurrency } = this.#options
    this.#loop.setShare(splitShares(mode, rate, concurrency, factor, 1)[0]!)
  }

  stop(ended = false): void {
    this.#loop.stop(ended)
  }

  /**
   * Resolves with the requests never sent once the calls in flight at the end have answered, waiting at most
   * `timeoutMs` for them (a function cannot be cancelled); those still running then count as errors.
   */
  async finished(): Promise<number> {
    await this.#loop.stopped
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#options.timeoutMs)
    })
    const outcome = await Promise.race([this.#loop.finished, timedOut])
    clearTimeout(timer)
    const left = this.#loop.inFlight
    if (outcome === 'timeout' && left > 0) {
      this.#ended = true
      const atMs = performance.now() - this.#runStartMs
      for (let i = 0; i < left; i++) this.#recorder.record(atMs, 0, true)
      this.#recorder.countError(`no answer within timeoutMs (${this.#options.timeoutMs} ms) after the end`, left)
    }
    return this.#loop.unsent
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name
  return String(error)
}

function round1(value: number): number {
  return Math.round(value * 10) / 10
}

function progressText(o: ResolvedLoadOptions, recorder: LatencyRecorder, elapsedMs: number, mode: string): string {
  const latency = recorder.latency()
  const of = Number.isFinite(o.durationMs) ? ` / ${(o.durationMs / 1000).toFixed(0)} s` : ''
  const rps = elapsedMs > 0 ? Math.round((recorder.requests / elapsedMs) * 1000) : 0
  return `load ${o.targetName}: ${(elapsedMs / 1000).toFixed(1)} s${of}, ${recorder.requests} requests, ${rps} req/s, p99 ${latency.p99} ms, ${recorder.errors} errors, ${mode}`
}

/** One line: what a CI log keeps of a load test. */
export function summaryLine(result: LoadTestResult): string {
  const l = result.latencyMs
  const modes = result.modes.length > 1 ? `, modes ${result.modes.map((entry) => entry.mode).join(' → ')}` : ''
  const stop = result.stoppedBy === 'memory' ? `, ${result.stopReason}` : ''
  const misses =
    result.thresholds.misses.length > 0
      ? `; missed: ${result.thresholds.misses.map((miss) => miss.threshold).join(', ')}`
      : ''
  return (
    `load ${result.target}: ${result.requests} requests in ${(result.durationMs / 1000).toFixed(1)} s (${result.rps} req/s), ` +
    `p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms, ${result.errors} errors${modes}${stop}${misses}`
  )
}

import { createHistogram, type RecordableHistogram } from 'node:perf_hooks'
import type { MemoryMode } from './memoryModes.js'

/** Latency percentiles, ms (µs precision). */
export interface LatencySummary {
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

/** One second of the run (by when requests finished): for a chart of latency and rate over time. */
export interface LoadTimelinePoint {
  /** Start of the second, ms since the run started. */
  atMs: number
  /** Requests that finished in this second, failed ones included. */
  requests: number
  errors: number
  /** Latency of the successful requests that finished in this second, ms; zeros when none did. */
  latencyMs: { p50: number; p99: number; max: number }
  /** The memory mode when the second's last request finished (when it opened, if none did). */
  mode: MemoryMode
}

export interface RecordedLatencies {
  /** Open model: how late requests were sent after they were due, ms; null in the closed model. */
  sendLagMs: { p50: number; p99: number; max: number } | null
  /** Open model: latency of successful requests from when each was sent (as autocannon counts it), ms; null in the closed model. */
  fromSendMs: { p50: number; p90: number; p99: number; max: number } | null
  requests: number
  errors: number
  latencyMs: LatencySummary
  timeline: LoadTimelinePoint[]
  /** Distinct error messages with their counts, most frequent first (at most 10; the rest under "other errors"). */
  errorMessages: { message: string; count: number }[]
}

const BUCKET_MS = 1_000
/** Seconds kept open for late samples (worker batches arrive up to ~100 ms late) before their percentiles are read. */
const OPEN_BUCKETS = 3
const MAX_ERROR_MESSAGES = 10
const OTHER_ERRORS = 'other errors'
const HIGHEST_US = 3_600_000_000

interface Bucket {
  index: number
  mode: MemoryMode
  requests: number
  errors: number
  histogram: RecordableHistogram
}

/**
 * Keeps no raw samples: every latency goes into one HDR histogram for the whole run (fixed size, 3 significant
 * digits) and into the histogram of its second, which is read into percentiles and dropped once the second is
 * OPEN_BUCKETS behind the newest. Memory grows by one small point per second of run, whatever the request rate.
 */
export class LatencyRecorder {
  readonly #all = newHistogram()
  readonly #sendLag = newHistogram()
  readonly #fromSend = newHistogram()
  #requests = 0
  #errors = 0
  #sumUs = 0
  #open: Bucket[] = []
  #nextIndex = 0
  readonly #timeline: LoadTimelinePoint[] = []
  readonly #errorCounts = new Map<string, number>()
  #mode: MemoryMode = 'normal'

  /** The mode later points are tagged with. */
  setMode(mode: MemoryMode): void {
    this.#mode = mode
  }

  /** One finished request: when (ms since the run started), its latency (ms), and whether it failed. */
  record(finishedAtMs: number, latencyMs: number, failed: boolean): void {
    const bucket = this.#bucket(Math.max(0, Math.floor(finishedAtMs / BUCKET_MS)))
    this.#requests++
    bucket.requests++
    bucket.mode = this.#mode
    if (failed) {
      this.#errors++
      bucket.errors++
      return
    }
    // A failed request gives no latency: a fast refusal is not a fast service.
    const us = toUs(latencyMs)
    this.#all.record(us)
    bucket.histogram.record(us)
    this.#sumUs += us
  }

  /** Open model: one request sent `lagMs` after it was due. */
  recordSendLag(lagMs: number): void {
    this.#sendLag.record(toUs(lagMs))
  }

  /** Send lags another thread recorded. */
  addSendLags(histogram: RecordableHistogram): void {
    this.#sendLag.add(histogram)
  }

  /** Open model: a successful request's latency from when it was sent. */
  recordFromSend(latencyMs: number): void {
    this.#fromSend.record(toUs(latencyMs))
  }

  /** Latencies from the send another thread recorded. */
  addFromSend(histogram: RecordableHistogram): void {
    this.#fromSend.add(histogram)
  }

  /** Counts an error message (a failure already passed to `record`). */
  countError(message: string, count = 1): void {
    const known = this.#errorCounts.has(message) || this.#errorCounts.size < MAX_ERROR_MESSAGES
    const key = known ? message : OTHER_ERRORS
    this.#errorCounts.set(key, (this.#errorCounts.get(key) ?? 0) + count)
  }

  get requests(): number {
    return this.#requests
  }

  get errors(): number {
    return this.#errors
  }

  /** Whole-run percentiles so far. */
  latency(): LatencySummary {
    const all = this.#all
    if (all.count === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 }
    return {
      p50: usToMs(all.percentile(50)),
      p90: usToMs(all.percentile(90)),
      p99: usToMs(all.percentile(99)),
      max: usToMs(all.max),
      mean: usToMs(this.#sumUs / all.count),
    }
  }

  /** Everything recorded; closes the open seconds. */
  finish(): RecordedLatencies {
    while (this.#open.length > 0) this.#close(this.#open.shift()!)
    const lag = this.#sendLag
    const sent = this.#fromSend
    return {
      sendLagMs:
        lag.count === 0
          ? null
          : { p50: usToMs(lag.percentile(50)), p99: usToMs(lag.percentile(99)), max: usToMs(lag.max) },
      fromSendMs:
        sent.count === 0
          ? null
          : {
              p50: usToMs(sent.percentile(50)),
              p90: usToMs(sent.percentile(90)),
              p99: usToMs(sent.percentile(99)),
              max: usToMs(sent.max),
            },
      requests: this.#requests,
      errors: this.#errors,
      latencyMs: this.latency(),
      timeline: this.#timeline.map((point) => ({ ...point, latencyMs: { ...point.latencyMs } })),
      errorMessages: [...this.#errorCounts]
        .map(([message, count]) => ({ message, count }))
        .sort((a, b) => b.count - a.count),
    }
  }

  #bucket(index: number): Bucket {
    const open = this.#open
    for (let i = open.length - 1; i >= 0; i--) if (open[i]!.index === index) return open[i]!
    // A late sample for a second already closed counts in the oldest open one.
    if (index < this.#nextIndex) return open[0]!
    // Seconds open in order from 0, also those without a request, so the timeline has no gaps.
    for (; this.#nextIndex <= index; this.#nextIndex++) {
      this.#push(this.#nextIndex)
      while (open.length > OPEN_BUCKETS) this.#close(open.shift()!)
    }
    return open[open.length - 1]!
  }

  #push(index: number): Bucket {
    const bucket = { index, mode: this.#mode, requests: 0, errors: 0, histogram: newHistogram() }
    this.#open.push(bucket)
    return bucket
  }

  #close(bucket: Bucket): void {
    const h = bucket.histogram
    this.#timeline.push({
      atMs: bucket.index * BUCKET_MS,
      requests: bucket.requests,
      errors: bucket.errors,
      latencyMs:
        h.count === 0
          ? { p50: 0, p99: 0, max: 0 }
          : { p50: usToMs(h.percentile(50)), p99: usToMs(h.percentile(99)), max: usToMs(h.max) },
      mode: bucket.mode,
    })
  }
}

/** A histogram of whole µs from 1 µs to 1 hour, 3 significant digits; worker threads send theirs to be added. */
export function newHistogram(): RecordableHistogram {
  return createHistogram({ lowest: 1, highest: HIGHEST_US, figures: 3 })
}

/** ms as whole µs within the histogram's range: it takes integers ≥ 1 and drops values above its highest without a word. */
export function toUs(ms: number): number {
  return Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000)))
}

function usToMs(us: number): number {
  return Math.round(us) / 1000
}

// Worker-thread side of a URL load test: one event loop sending requests over its own keep-alive connections.
// Main-thread code (loadTester.ts, httpSenders.ts) talks to it only through the messages below.
import { performance, type RecordableHistogram } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import { HttpConnections } from './httpConnections.js'
import { newHistogram, toUs } from './latencyRecorder.js'
import { type LoopShare, RequestLoop } from './requestLoop.js'

export interface HttpWorkerData {
  url: string
  method: string
  headers: Record<string, string>
  body: string | undefined
  timeoutMs: number
  share: LoopShare
  /** The run's request budget, shared by every thread: Int32 counter of requests claimed; null without a budget. */
  budget: SharedArrayBuffer | null
  budgetLimit: number
}

/**
 * `start` carries, on the shared clock (performance.timeOrigin + performance.now(), ms), the run's start and end and
 * when this thread's first request is due: the run's start for the first threads, now for one added later.
 */
export type ToHttpWorker =
  | { type: 'start'; runStartEpochMs: number; endEpochMs: number; firstDueEpochMs: number }
  | { type: 'share'; share: LoopShare }
  /** `ended`: the run's time is up (not an early stop), see RequestLoop.stop. */
  | { type: 'stop'; ended: boolean }

export type FromHttpWorker =
  | {
      type: 'batch'
      /** Per request: when it finished (ms since the run started), its latency (ms) and 1 when it failed. */
      finishedAtMs: Float64Array
      latencyMs: Float64Array
      failed: Uint8Array
      errors: [message: string, count: number][]
      /** This thread's event-loop utilisation over the last full second (0..1), and requests due but not yet sent. */
      elu: number
      backlog: number
    }
  | { type: 'ready' }
  /** `sendLags`: how late each request was sent after its due time (open model), µs. Histograms clone between threads. */
  | { type: 'done'; unsent: number; sendLags: RecordableHistogram; fromSend: RecordableHistogram }

const FLUSH_EVERY_MS = 100
const FLUSH_AT_SAMPLES = 8192
const ELU_WINDOW_MS = 1000

const data = workerData as HttpWorkerData
const port = parentPort!
let runStartEpochMs = 0
let firstDueEpochMs = 0
// Times from this thread's clock to the run's: every thread has its own performance.timeOrigin.
const toRunMs = (ms: number) => performance.timeOrigin + ms - runStartEpochMs
const connections = new HttpConnections({
  url: new URL(data.url),
  method: data.method,
  headers: data.headers,
  body: data.body,
  timeoutMs: data.timeoutMs,
})
const budget = data.budget === null ? null : new Int32Array(data.budget)
const claim =
  budget === null
    ? () => true
    : () => {
        const claimed = Atomics.add(budget, 0, 1)
        // The last request of the run is sent: stop now rather than when a loop next asks.
        if (claimed === data.budgetLimit - 1) queueMicrotask(() => loop.stop())
        return claimed < data.budgetLimit
      }

const finishedAt = new Float64Array(FLUSH_AT_SAMPLES)
const latencies = new Float64Array(FLUSH_AT_SAMPLES)
const failed = new Uint8Array(FLUSH_AT_SAMPLES)
let count = 0
let errors = new Map<string, number>()
let eluMark = performance.eventLoopUtilization()
let eluMarkMs = performance.now()
let lastElu = 0
const sendLags = newHistogram()
const fromSend = newHistogram()

// Made at `start`: the clock starts once every thread has loaded, so start-up is not charged to the first requests.
let loop!: RequestLoop
const makeLoop = (endEpochMs: number) =>
  new RequestLoop({
    share: data.share,
    endMs: endEpochMs - performance.timeOrigin,
    claim,
    onSend: (lagMs) => sendLags.record(toUs(lagMs)),
    issue: (done) => connections.send(done),
    onResult: (finishedAtMs, latencyMs, error, fromSendMs) => {
      if (error === undefined && share.model === 'open') fromSend.record(toUs(fromSendMs))
      finishedAt[count] = toRunMs(finishedAtMs)
      latencies[count] = latencyMs
      failed[count] = error === undefined ? 0 : 1
      count++
      if (error !== undefined) errors.set(error, (errors.get(error) ?? 0) + 1)
      if (count === FLUSH_AT_SAMPLES) flush()
    },
  })

function flush(): void {
  const nowMs = performance.now()
  if (nowMs - eluMarkMs >= ELU_WINDOW_MS) {
    lastElu = performance.eventLoopUtilization(eluMark).utilization
    eluMark = performance.eventLoopUtilization()
    eluMarkMs = nowMs
  }
  const finishedAtMs = finishedAt.slice(0, count)
  const latencyMs = latencies.slice(0, count)
  const failedFlags = failed.slice(0, count)
  const message: FromHttpWorker = {
    type: 'batch',
    finishedAtMs,
    latencyMs,
    failed: failedFlags,
    errors: [...errors],
    elu: lastElu,
    backlog: loop.backlog,
  }
  // The slices are copies, moved (not copied again) to the main thread.
  port.postMessage(message, [
    finishedAtMs.buffer as ArrayBuffer,
    latencyMs.buffer as ArrayBuffer,
    failedFlags.buffer as ArrayBuffer,
  ])
  count = 0
  errors = new Map()
}

let share = data.share
let stopEarly = false
const started = new Promise<void>((resolve) => {
  port.on('message', (message: ToHttpWorker) => {
    if (message.type === 'start') {
      runStartEpochMs = message.runStartEpochMs
      firstDueEpochMs = message.firstDueEpochMs
      loop = makeLoop(message.endEpochMs)
      resolve()
    } else if (message.type === 'share') {
      share = message.share
      loop?.setShare(share)
    } else if (loop === undefined) stopEarly = true
    else loop.stop(message.ended)
  })
})
port.postMessage({ type: 'ready' } satisfies FromHttpWorker)
await started
const flusher = setInterval(flush, FLUSH_EVERY_MS)
loop.setShare(share)
// Due times run from the run's start, not from when this thread heard of it (a slow message is not a pause).
loop.start(Math.min(performance.now(), firstDueEpochMs - performance.timeOrigin))
if (stopEarly) loop.stop()
await loop.finished
clearInterval(flusher)
flush()
port.postMessage({ type: 'done', unsent: loop.unsent, sendLags, fromSend } satisfies FromHttpWorker)
connections.close()
port.close()

import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import type { FromHttpWorker, HttpWorkerData, ToHttpWorker } from './httpWorker.js'
import type { LatencyRecorder } from './latencyRecorder.js'
import type { ResolvedLoadOptions } from './options.js'
import { shouldAddThread, splitShares } from './shares.js'

interface Sender {
  worker: Worker
  elu: number
  backlog: number
  done: Promise<number>
}

/**
 * The main thread's side of a URL load test: worker threads that each send part of the load (tinypool runs one
 * task per call and returns; these are long-lived loops streaming results, so plain worker_threads fit). Results
 * arrive in batches and go into the one recorder.
 */
export class HttpSenders {
  readonly #options: ResolvedLoadOptions
  readonly #recorder: LatencyRecorder
  #runStartEpochMs = 0
  #endEpochMs = 0
  readonly #budget: SharedArrayBuffer | null
  readonly #senders: Sender[] = []
  #factor = 1
  #stopped = false
  #ended = false
  /** The first failure of a worker itself (not of a request), reported with the result. */
  workerError: Error | undefined

  constructor(options: ResolvedLoadOptions, recorder: LatencyRecorder) {
    this.#options = options
    this.#recorder = recorder
    this.#budget = Number.isFinite(options.requests) ? new SharedArrayBuffer(4) : null
  }

  get threads(): number {
    return this.#senders.length
  }

  /** Starts the first threads and waits until each has loaded: start-up must not count as the first requests' latency. */
  async prepare(): Promise<void> {
    const first = this.#options.threads === 'auto' ? 1 : this.#options.threads
    const ready: Promise<void>[] = []
    for (let i = 0; i < first; i++) ready.push(this.#spawn(first))
    await Promise.all(ready)
  }

  /** Starts sending; `runStartMs` is this thread's performance.now() at the run's start. */
  start(runStartMs: number): void {
    this.#runStartEpochMs = performance.timeOrigin + runStartMs
    this.#endEpochMs = this.#runStartEpochMs + this.#options.durationMs
    for (const sender of this.#senders) this.#startSender(sender, this.#runStartEpochMs)
  }

  /** The memory mode's share of the load (1, 0.5, 0.25). */
  setFactor(factor: number): void {
    this.#factor = factor
    this.#rebalance()
  }

  /** Called once a second with `threads: 'auto'`: adds a thread when every one is saturated and the load is not met. */
  maybeAddThread(): boolean {
    if (this.#stopped || this.#options.threads !== 'auto') return false
    const behind = this.#options.mode === 'closed' || this.#senders.some((sender) => sender.backlog > 0)
    const add = shouldAddThread({
      threads: this.#senders.length,
      maxThreads: this.#options.maxThreads,
      elus: this.#senders.map((sender) => sender.elu),
      behind,
    })
    if (!add) return false
    const sender = this.#senders.length
    void this.#spawn(sender + 1).then(() => {
      if (this.#stopped) post(this.#senders[sender]!.worker, { type: 'stop', ended: this.#ended })
      this.#startSender(this.#senders[sender]!, performance.timeOrigin + performance.now())
    })
    this.#rebalance()
    return true
  }

  /** Starts no more requests; `finished()` resolves when every thread has reported its last batch. `ended`: the run's time is up. */
  stop(ended = false): void {
    this.#stopped = true
    this.#ended = ended
    for (const sender of this.#senders) post(sender.worker, { type: 'stop', ended })
  }

  /** Resolves with the requests due but never sent, over all threads. */
  async finished(): Promise<number> {
    let unsent = 0
    // Threads added while waiting are waited for too.
    for (let i = 0; i < this.#senders.length; i++) unsent += await this.#senders[i]!.done
    return unsent
  }

  #shares(threads: number) {
    const { mode, rate, concurrency } = this.#options
    return splitShares(mode, rate, concurrency, this.#factor, threads)
  }

  #startSender(sender: Sender, firstDueEpochMs: number): void {
    post(sender.worker, {
      type: 'start',
      runStartEpochMs: this.#runStartEpochMs,
      endEpochMs: this.#endEpochMs,
      firstDueEpochMs,
    })
  }

  /** Resolves when the thread has loaded (or failed to: its error is kept and its `done` resolves). */
  #spawn(threads: number): Promise<void> {
    const { url, request, timeoutMs, requests } = this.#options
    const share = this.#shares(threads)[this.#senders.length]!
    const data: HttpWorkerData = {
      url: url!.href,
      method: request.method,
      headers: request.headers,
      body: request.body,
      timeoutMs,
      share,
      budget: this.#budget,
      budgetLimit: Number.isFinite(requests) ? requests : 0,
    }
    // No inherited execArgv: the worker is our own plain module, and flags of the caller's command line can be
    // refused in a worker (`node --input-type=module -e …` made every URL load test fail).
    const worker = new Worker(new URL('./httpWorker.js', import.meta.url), { workerData: data, execArgv: [] })
    const sender: Sender = { worker, elu: 0, backlog: 0, done: Promise.resolve(0) }
    let loaded: () => void = () => {}
    const ready = new Promise<void>((resolve) => {
      loaded = resolve
    })
    sender.done = new Promise<number>((resolve) => {
      let unsent = 0
      worker.on('message', (message: FromHttpWorker) => {
        if (message.type === 'batch') this.#take(sender, message)
        else if (message.type === 'ready') loaded()
        else {
          unsent = message.unsent
          if (message.sendLags.count > 0) this.#recorder.addSendLags(message.sendLags)
          if (message.fromSend.count > 0) this.#recorder.addFromSend(message.fromSend)
        }
      })
      worker.on('error', (error) => {
        this.workerError ??= error
      })
      worker.on('exit', () => {
        loaded()
        resolve(unsent)
      })
    })
    this.#senders.push(sender)
    return ready
  }

  #rebalance(): void {
    const shares = this.#shares(this.#senders.length)
    for (const [i, sender] of this.#senders.entries()) post(sender.worker, { type: 'share', share: shares[i]! })
  }

  #take(sender: Sender, batch: Extract<FromHttpWorker, { type: 'batch' }>): void {
    sender.elu = batch.elu
    sender.backlog = batch.backlog
    const recorder = this.#recorder
    for (let i = 0; i < batch.finishedAtMs.length; i++)
      recorder.record(batch.finishedAtMs[i]!, batch.latencyMs[i]!, batch.failed[i] === 1)
    for (const [message, count] of batch.errors) recorder.countError(message, count)
  }
}

function post(worker: Worker, message: ToHttpWorker): void {
  worker.postMessage(message)
}

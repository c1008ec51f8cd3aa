import { EventEmitter } from 'node:events'
import type { PoolOptions, PoolTask, PoolWorker, WorkerRequest, WorkerResponse } from 'vitest/node'
import { reportFilesSkipped, startedWorker, workerStderr } from './vitestWorkers.js'
import type { GateKeeper } from './gateKeeper.js'
import { describeError, describeExit, saysOutOfMemory } from './workerCrash.js'
import type { Release } from './workerGate.js'

/** Creates one of Vitest's own workers; with `heapMb`, one whose heap limit is that many MiB. */
export type InnerWorkerFactory = (options: PoolOptions, heapMb?: number) => PoolWorker

const STARTED: WorkerResponse = { __vitest_worker_response__: true, type: 'started' }
const STOPPED: WorkerResponse = { __vitest_worker_response__: true, type: 'stopped' }

/**
 * Where the real worker is, in one field: none yet (`idle`: waiting for the gate, or between a crash and its
 * retry), being created (`starting`; `spawned` once its process or thread exists and can be sent RPC
 * traffic), `started`, or `stopped` by Vitest.
 */
type RealWorker =
  | { name: 'idle' }
  | { name: 'starting'; inner: PoolWorker; spawned: boolean; ready: Promise<void> }
  | { name: 'started'; inner: PoolWorker }
  | { name: 'stopped' }

/** The file in hand; `crash` (why its first worker died) is set once it is the retry. */
interface CurrentFile {
  file: string
  message: WorkerRequest & { type: 'run' | 'collect' }
  run: AbortSignal
  release?: Release
  crash?: string
}

/**
 * Wraps one of Vitest's own workers (forks, threads, vmForks, vmThreads) so that it spawns only when the
 * gate grants a slot. Vitest's scheduler believes the worker started at once (it would time out after
 * 60 s of waiting otherwise): `start()` returns immediately and the `started` answer is ours; the real
 * worker is created, started and handed the file when a slot is free.
 *
 * If the real worker dies mid-file (heap out of memory, a signal), the file is run again once, alone,
 * in a new worker with more heap, so that no test is lost; Vitest only learns of the crash if the retry
 * fails too.
 */
export class GatedPoolWorker implements PoolWorker {
  readonly name: string
  readonly reportMemory = true
  readonly cacheFs?: boolean
  readonly canReuse?: (task: PoolTask) => boolean

  #events = new EventEmitter()
  #options: PoolOptions
  #createInner: InnerWorkerFactory
  #heapFixed: string | undefined
  #memoryLimitBytes: number | null
  #overMemoryLimit = false
  #keeper: GateKeeper
  #real: RealWorker = { name: 'idle' }
  #startMessage: WorkerRequest | undefined
  /** Set for a retry: the heap limit its new worker gets. */
  #heapMb: number | undefined
  #current: CurrentFile | undefined
  #abort = new AbortController()
  /** The current forked worker said on stderr that its heap ran out. */
  #outOfMemory = false

  /**
   * `heapFixed`: why a retry of this pool's worker cannot get more heap (undefined when it can).
   * `memoryLimitBytes`: past this `usedMemory` after a file the worker is not reused (vm pools' limit).
   */
  constructor(
    name: string,
    options: PoolOptions,
    createInner: InnerWorkerFactory,
    keeper: GateKeeper,
    limits: { heapFixed?: string; memoryLimitBytes?: number | null } = {},
  ) {
    this.name = name
    this.#options = options
    this.#createInner = createInner
    this.#heapFixed = limits.heapFixed
    this.#memoryLimitBytes = limits.memoryLimitBytes ?? null
    this.#keeper = keeper
    // Properties Vitest reads from the worker itself; take them from a throwaway instance (no process yet).
    const probe = createInner(options)
    this.cacheFs = probe.cacheFs
    // Vitest retires a vm worker whose memory passed `vmMemoryLimit` only for pools of its own names.
    if (probe.canReuse) this.canReuse = (task) => !this.#overMemoryLimit && probe.canReuse!(task)
  }

  on(event: string, callback: (...args: unknown[]) => void): void {
    this.#events.on(event, callback)
  }

  off(event: string, callback: (...args: unknown[]) => void): void {
    this.#events.off(event, callback)
  }

  deserialize(data: unknown): unknown {
    return data
  }

  async start(): Promise<void> {
    // Nothing to spawn yet: the real worker starts when the gate grants a slot.
  }

  async stop(): Promise<void> {
    const inner = this.#inner()
    this.#real = { name: 'stopped' }
    this.#abort.abort(new Error('worker stopped before its file was admitted'))
    this.#current?.release?.()
    this.#current = undefined
    if (inner) await inner.stop()
  }

  /** Vitest's requests, and RPC traffic (answers to the worker's calls, onCancel) through the same channel. */
  send(message: WorkerRequest): void {
    if (message?.__vitest_worker_request__) {
      switch (message.type) {
        case 'start':
          // The real start message goes out when a real worker exists; Vitest gets its answer now.
          this.#startMessage = { ...message, context: { ...message.context, pool: baseName(this.name) } }
          queueMicrotask(() => this.#emit('message', STARTED))
          return
        case 'run':
        case 'collect':
          void this.#runWhenAdmitted(message)
          return
        case 'stop':
          if (!this.#inner()) {
            this.#abort.abort(new Error('worker stopped before its file was admitted'))
            queueMicrotask(() => this.#emit('message', STOPPED))
            return
          }
          break
        case 'cancel':
          if (!this.#inner()) return
          break
      }
    }
    // RPC traffic goes to the real worker once it exists — also while it is starting: a custom environment
    // calls back into Vitest before the worker says `started`. Before it exists only Vitest's cancel can
    // come, which the keeper sees too (`runSignal`).
    const real = this.#real
    if (real.name === 'started' || (real.name === 'starting' && real.spawned)) real.inner.send(message)
  }

  /** The real worker, from the moment it is created until it dies or is stopped. */
  #inner(): PoolWorker | undefined {
    return this.#real.name === 'starting' || this.#real.name === 'started' ? this.#real.inner : undefined
  }

  get #stopped(): boolean {
    return this.#real.name === 'stopped'
  }

  async #runWhenAdmitted(message: CurrentFile['message']): Promise<void> {
    const file = fileOf(message)
    const run = this.#keeper.runSignal
    let release: Release
    try {
      release = await this.#keeper.admit(file, false, this.#abort.signal)
    } catch {
      // Stopped while waiting (Vitest is tearing the worker down), or the run was cancelled.
      if (!this.#stopped && run.aborted) this.#skipCancelled(message)
      return
    }
    if (this.#stopped) return release()
    if (run.aborted) {
      release()
      return this.#skipCancelled(message)
    }
    this.#current = { file, message, run, release }
    await this.#startFile()
  }

  /**
   * The run was cancelled before this file started: it is reported as skipped, as plain Vitest reports the
   * files still queued when it cancels, and Vitest hears that the file is done so the run can end.
   */
  #skipCancelled(message: CurrentFile['message']): void {
    const project = this.#options.project
    reportFilesSkipped(project.vitest, message.context.files ?? [], project)
    queueMicrotask(() =>
      this.#emit('message', { __vitest_worker_response__: true, type: 'testfileFinished' } satisfies WorkerResponse),
    )
  }

  async #startFile(): Promise<void> {
    const current = this.#current!
    try {
      await this.#ensureInner()
    } catch (error) {
      current.release?.()
      this.#current = undefined
      this.#emit('error', error)
      return
    }
    if (this.#stopped || current.run.aborted) {
      current.release?.()
      this.#current = undefined
      if (this.#stopped) return
      // Cancelled while the worker was starting: the file has not begun, so it does not begin now.
      return current.crash ? this.#crashWithoutRetry(current.file, current.crash) : this.#skipCancelled(current.message)
    }
    const inner = this.#inner()!
    this.#keeper.fileStarted(current.file, startedWorker(inner))
    inner.send(current.message)
  }

  #ensureInner(): Promise<void> {
    const real = this.#real
    if (real.name === 'started') return Promise.resolve()
    if (real.name === 'starting') return real.ready
    const inner = this.#createInner(this.#options, this.#heapMb)
    const state: RealWorker & { name: 'starting' } = {
      name: 'starting',
      inner,
      spawned: false,
      ready: Promise.resolve(),
    }
    this.#real = state
    state.ready = (async () => {
      await inner.start()
      state.spawned = true
      this.#watchForOutOfMemory(inner)
      inner.on('message', (data) => this.#onInnerMessage(inner, data))
      inner.on('error', (error) => this.#onInnerError(inner, error))
      inner.on('exit', (code: unknown, signal?: unknown) => this.#onInnerExit(inner, code, signal))
      const started = new Promise<void>((resolve, reject) => {
        const onStarted = (data: unknown) => {
          const response = inner.deserialize(data) as WorkerResponse
          if (response?.__vitest_worker_response__ && response.type === 'started') {
            inner.off('message', onStarted)
            if (response.error) reject(response.error)
            else resolve()
          }
        }
        inner.on('message', onStarted)
      })
      inner.send(this.#startMessage!)
      await started
    })().finally(() => {
      // A worker that failed to start counts as started: the file's error was reported, the next file reuses it.
      if (this.#real === state) this.#real = { name: 'started', inner }
    })
    return state.ready
  }

  /** V8's own words on the worker's stderr when its heap runs out: the only sure sign, for a forked worker. */
  #watchForOutOfMemory(inner: PoolWorker) {
    this.#outOfMemory = false
    workerStderr(inner)?.on('data', (chunk: Buffer | string) => {
      if (!this.#outOfMemory && saysOutOfMemory(String(chunk))) this.#outOfMemory = true
    })
  }

  #onInnerMessage(inner: PoolWorker, data: unknown): void {
    if (inner !== this.#inner()) return
    const response = inner.deserialize(data) as WorkerResponse
    if (response?.__vitest_worker_response__) {
      if (response.type === 'started') return // answered already, on the real worker's behalf
      if (response.type === 'testfileFinished' && this.#current) {
        const used = typeof response.usedMemory === 'number' ? response.usedMemory : undefined
        if (this.#memoryLimitBytes !== null && used !== undefined && used >= this.#memoryLimitBytes)
          this.#overMemoryLimit = true
        const { file, release } = this.#current
        this.#current = undefined
        this.#keeper.fileFinished(file, { crashed: false, usedMemoryBytes: used })
        release?.()
      }
    }
    this.#emit('message', data)
  }

  #onInnerError(inner: PoolWorker, error: unknown): void {
    if (inner !== this.#inner()) return
    if (this.#current && this.#retry(describeError(error))) return
    this.#emit('error', error)
  }

  #onInnerExit(inner: PoolWorker, code: unknown, signal: unknown): void {
    if (inner !== this.#inner()) return
    if (this.#current && this.#retry(describeExit(code, signal, this.#outOfMemory))) return
    // Vitest 5 names the signal in its "Worker exited unexpectedly" message.
    this.#emit('exit', code, signal)
  }

  /** True when the file will run again; the dead worker's exit stays between us. */
  #retry(reason: string): boolean {
    const current = this.#current!
    const dead = this.#inner()
    this.#real = { name: 'idle' }
    if (dead) void dead.stop().catch(() => {})
    current.release?.()
    current.release = undefined
    this.#keeper.fileFinished(current.file, { crashed: true })
    if (current.crash !== undefined) {
      this.#keeper.retryFailed(current.file, reason)
      this.#current = undefined
      return false
    }
    const plan = this.#keeper.planRetry(current.file, reason, this.#options.execArgv, this.#heapFixed)
    if (plan === undefined) {
      this.#current = undefined
      return false
    }
    current.crash = plan.reason
    this.#heapMb = plan.heapMb ?? undefined
    void this.#keeper.admit(current.file, true, this.#abort.signal).then(
      (release) => {
        if (this.#stopped) return release()
        current.release = release
        return this.#startFile()
      },
      () => {
        if (this.#stopped || this.#current !== current) return
        this.#current = undefined
        this.#crashWithoutRetry(current.file, plan.reason)
      },
    )
    return true
  }

  /**
   * The run was cancelled before a crashed file's retry could start. The crash stays a crash: the report
   * says the retry was cancelled, and Vitest hears of the dead worker as it would have without a retry.
   */
  #crashWithoutRetry(file: string, reason: string): void {
    this.#keeper.retryCancelled(file)
    queueMicrotask(() =>
      this.#emit('error', new Error(`${reason}; the run was cancelled before ${file} could run again`)),
    )
  }

  #emit(event: string, ...values: unknown[]): void {
    this.#events.emit(event, ...values)
  }
}

function baseName(name: string): string {
  return name.replace(/^qtests-/, '')
}

function fileOf(message: CurrentFile['message']): string {
  return message.context.files?.map((f) => f.filepath).join(', ') ?? '(unknown file)'
}

import { Session } from 'node:inspector'
import type { SamplingHeapProfile } from './allocationSites.js'

/**
 * V8's sampling heap profiler, in this worker's own isolate. While it runs, V8 records the allocation
 * stack of about one allocation per `intervalBytes`, and forgets the ones the GC frees: what is left
 * after a test's repeated runs is what those runs retained, with where it was allocated.
 */
export class HeapSampler {
  #session: Session | undefined
  #running = false

  start(intervalBytes: number): void {
    if (!this.#session) {
      this.#session = new Session()
      this.#session.connect()
      this.#post('HeapProfiler.enable')
    }
    this.#post('HeapProfiler.startSampling', { samplingInterval: intervalBytes })
    this.#running = true
  }

  /**
   * While a session is connected, Node hands every call of its original console methods to V8's inspector too,
   * which keeps the last 1000 messages with their arguments for a DevTools that may attach later: a test that
   * logs an object would seem to keep it. Dropped before each sample; the session is ours, not the test's.
   */
  discardConsoleEntries(): void {
    if (this.#session) this.#post('Runtime.discardConsoleEntries')
  }

  /** Stops sampling; with `take`, first returns the allocations still alive. */
  stop(take: boolean): SamplingHeapProfile | undefined {
    if (!this.#running) return undefined
    this.#running = false
    const profile = take
      ? (this.#post('HeapProfiler.getSamplingProfile') as { profile: SamplingHeapProfile }).profile
      : undefined
    this.#post('HeapProfiler.stopSampling')
    return profile
  }

  // A session connected to its own thread answers synchronously; anything else is a bug to report.
  #post(method: string, params?: object): unknown {
    let answered = false
    let result: unknown
    let failure: Error | null = null
    this.#session!.post(method, params, (error, value) => {
      answered = true
      failure = error
      result = value
    })
    if (failure) throw failure
    if (!answered) throw new Error(`inspector did not answer ${method} synchronously`)
    return result
  }
}

import { setMaxListeners } from 'node:events'
import { exposedGc, heapSpaceStatistics, heapStatistics, now, runInNewContext, setV8Flags } from './captured.js'

/** V8's gc: a full GC, or a young one with `{ type: 'minor' }`. */
type Gc = (options?: { type: 'minor' }) => void

// Fetched once: re-fetching through a new context costs milliseconds (field notes).
let collect: Gc | undefined

// Attempts at fetching gc before giving up (see fetchGc); each creates a V8 context.
const FETCH_ATTEMPTS = 50

function getGc(): Gc {
  if (collect) return collect
  collect = exposedGc ?? fetchGc()
  return collect
}

/**
 * Worker threads reject --expose-gc in execArgv; setting the flag at run time works in any worker:
 * contexts created while it is on get a gc function. It is turned off again at once, because V8
 * rejects code caches made under other flags, and Node's own modules load from such a cache: with
 * the flag left on, every built-in module loaded afterwards was compiled from source (2–3× slower;
 * 29 ms more per Vitest worker when the flag was on from the start). The function keeps working.
 *
 * V8's flags belong to the process, which worker threads share: another worker may turn the flag off
 * between our setting it and creating the context (8 threads starting together lost gc that way in
 * every round). So the context is checked and the fetch tried again. Only a successful fetch turns the
 * flag off — after a failed one it is already off — so each worker disturbs the others at most once.
 */
function fetchGc(): Gc {
  for (let attempt = 1; attempt <= FETCH_ATTEMPTS; attempt++) {
    setV8Flags('--expose-gc')
    const found: unknown = runInNewContext('typeof gc === "function" ? gc : undefined')
    if (typeof found === 'function') {
      setV8Flags('--no-expose-gc')
      return found as Gc
    }
  }
  setV8Flags('--no-expose-gc')
  throw new Error(`could not reach V8's gc: other threads kept turning --expose-gc off (${FETCH_ATTEMPTS} attempts)`)
}

export interface MemorySample {
  /** retained bytes after a full GC: JS heap without compiled code, plus memory outside it (Buffers) */
  bytes: number
  gcMs: number
  /** how many GCs the sample took */
  collections: number
}

/** hunt's full sample (`sampleAfterGc`), with the bytes in V8's code spaces it left out. */
export interface FullSample extends MemorySample {
  codeBytes: number
}

// Machine code comes and goes as V8 tiers functions up; it is never what a test leaks, and it is
// the main source of one-off jumps in post-GC samples, so it is left out of the measure.
const CODE_SPACES = new Set(['code_space', 'code_large_object_space'])
const YOUNG_SPACES = new Set(['new_space', 'new_large_object_space'])

/** Bytes in the heap spaces named, read in one pass. */
function spaceBytes(names: ReadonlySet<string>): number {
  let total = 0
  for (const space of heapSpaceStatistics()) if (names.has(space.space_name)) total += space.space_used_size
  return total
}

const CODE_AND_YOUNG = new Set([...CODE_SPACES, ...YOUNG_SPACES])

/** The heap's used bytes without the spaces named. */
function heapWithout(spaces: ReadonlySet<string>): number {
  return heapStatistics().used_heap_size - spaceBytes(spaces)
}

/** The heap's used bytes without the spaces named, plus memory outside the heap (Buffers). */
function bytesWithout(spaces: ReadonlySet<string>): number {
  return heapWithout(spaces) + heapStatistics().external_memory
}

/**
 * A cheap upper bound on retained memory: a young-generation GC (≈ 1 ms after busy tests), then the old
 * generation and memory outside the heap. Only what survived two young GCs is read: the survivors of
 * this one wait in the young generation, and many of them (what the tests were just using, Vitest's
 * pending messages) die before the next — read with them, the steps swung by tens of KB per test in both
 * directions, leaks included. A leak's objects reach the old generation one sample later; what is read
 * also holds promoted garbage, so a rise needs full GCs to confirm. (Reading the heap with no GC at all
 * was tried: natural GCs made it useless.)
 */
export function sampleAfterMinorGc(): MemorySample {
  const gc = getGc()
  const start = now()
  gc({ type: 'minor' })
  const gcMs = now() - start
  return { bytes: bytesWithout(CODE_AND_YOUNG), gcMs, collections: 1 }
}

let settled = false

/**
 * Forces a full GC and reads what survives it. With `settle`, a second GC first finishes what the
 * first left behind: dead ArrayBuffers' memory is released by a sweeper that runs after the GC (a
 * 16 MB Buffer dropped by a test was still counted right after one GC), and the weak callbacks and
 * finalizers the first GC ran. A series of samples cancels that lag out; a few samples do not.
 */
export function sampleAfterGc(settle = false): FullSample {
  const gc = getGc()
  const start = now()
  const collections = fullGc(gc, settle)
  const gcMs = now() - start
  const used = heapStatistics().used_heap_size
  const codeBytes = spaceBytes(CODE_SPACES)
  return { bytes: used - codeBytes + heapStatistics().external_memory, gcMs, collections, codeBytes }
}

/** A full GC, and a second one with `settle`; returns how many ran. */
function fullGc(gc: Gc, settle: boolean): number {
  gc()
  // The first full GC of a process always needs the second one: without it, the first sample stands
  // hundreds of KB too high.
  if (!settle && settled) return 1
  settled = true
  gc()
  return 2
}

/**
 * measure's full sample: the heap as a full GC leaves it, and memory outside the heap once a young GC has finished
 * the sweeping that GC left running (dead Buffers' memory is freed there: a 16 MB one dropped by a test was still
 * counted after the full GC alone). The heap is read before the young GC: once sweeping has ended, V8's accounting
 * of the old generation moved by up to ~250 KB either way with nothing allocated, while straight after a full GC it
 * is the bytes marked live (bench/overhead's workers, four samples in a row: every step within 12 KB in 41 of 46
 * files, against 3 of 46 read after the young GC). Not for hunt, which weighs each sample against a floor of 1 KiB:
 * this leaves to the next full GC what the first one's weak callbacks and finalizers free.
 */
export function sampleAfterGcSwept(): MemorySample {
  const gc = getGc()
  const start = now()
  const collections = fullGc(gc, false)
  const heap = heapWithout(CODE_SPACES)
  gc({ type: 'minor' })
  const gcMs = now() - start
  return { bytes: heap + heapStatistics().external_memory, gcMs, collections }
}

/** What Vitest itself retains for each run of a test while the test lasts, in bytes. */
export interface HarnessCost {
  /** one abort listener per run, closing over the run's promise */
  perRunBytes: number
  /** one queued task event per suite level with hooks, twice (start and end) per run */
  perHookEventBytes: number
}

/**
 * Measured here rather than hard-coded, because the sizes depend on the Node version. The shapes
 * copy Vitest's: its test-function wrapper's listener, and the `[id, event, undefined]` triples it queues
 * until its throttled task-update flush.
 */
export function measureHarnessCost(): HarnessCost {
  // The first round pays for one-off allocations (listener maps, compiled closures); the second measures.
  listenerRound(32)
  const perRunBytes = listenerRound(1024)
  const perHookEventBytes = eventRound(2048)
  return { perRunBytes, perHookEventBytes }
}

function eventRound(events: number): number {
  const queue: unknown[][] = []
  const id = 'task-id'
  const before = sampleAfterGc().bytes
  for (let i = 0; i < events; i++) queue.push([id, i % 2 ? 'before-hook-start' : 'before-hook-end', undefined])
  const after = sampleAfterGc().bytes
  return queue.length ? Math.max(0, Math.round((after - before) / events)) : 0
}

function listenerRound(listeners: number): number {
  const controller = new AbortController()
  const { signal } = controller
  allowListeners(0, signal)
  const run = withCancelShape(() => undefined, signal)
  const before = sampleAfterGc().bytes
  for (let i = 0; i < listeners; i++) void run()
  const after = sampleAfterGc().bytes
  void signal.aborted // keeps the signal, and so its listeners, alive until the second sample
  return Math.max(0, Math.round((after - before) / listeners))
}

/**
 * Lifts Node's too-many-listeners warning on a signal (0: no limit). In a DOM environment (happy-dom) the global
 * AbortController, and so a test's signal, is the environment's: Node's `setMaxListeners` rejects it, and it has no
 * such warning to lift.
 */
export function allowListeners(count: number, signal: AbortSignal): void {
  try {
    setMaxListeners(count, signal)
  } catch {
    // not a Node EventTarget: nothing to lift
  }
}

// The same shape as the wrapper Vitest puts around a test function, so that the closures it leaves on
// the signal are of the same size.
function withCancelShape(fn: (...args: unknown[]) => unknown, signal: AbortSignal) {
  return function runWithCancel(...args: unknown[]) {
    return new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason))
      try {
        const result = fn(...args)
        if (typeof result === 'object' && result != null && typeof (result as Promise<unknown>).then === 'function')
          (result as Promise<unknown>).then(resolve, reject)
        else resolve(result)
      } catch (error) {
        reject(error)
      }
    })
  }
}

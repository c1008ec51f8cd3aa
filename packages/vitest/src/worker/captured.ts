import v8 from 'node:v8'
import vm from 'node:vm'

// Taken when the probes load, before any setup or test file runs: a suite that stubs `performance.now`,
// `globalThis.gc` or the timers (fake timers, `vi.spyOn`) must never see a call of ours, nor feed us fakes.

export const now: () => number = performance.now.bind(performance)
const utilization = performance.eventLoopUtilization.bind(performance)
/** ms this thread's event loop has been busy (not waiting for I/O, timers or messages), from its start. */
export const busyMs = (): number => utilization().active
export const setTimer = globalThis.setTimeout
export const clearTimer = globalThis.clearTimeout
const setImmediateCaptured = globalThis.setImmediate
/** Resolves after the current job and the microtasks behind it: at the next turn of the event loop. */
export const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediateCaptured(resolve))
export const heapStatistics = v8.getHeapStatistics
export const heapSpaceStatistics = v8.getHeapSpaceStatistics
export const setV8Flags = v8.setFlagsFromString
export const runInNewContext = vm.runInNewContext
/** `gc` when the worker was started with --expose-gc; a later `globalThis.gc` may be a test's stub. */
export const exposedGc = (() => {
  const gc = (globalThis as { gc?: unknown }).gc
  return typeof gc === 'function' ? (gc as (options?: { type: 'minor' }) => void) : undefined
})()
export const resourceTimings = {
  setBufferSize:
    typeof performance.setResourceTimingBufferSize === 'function'
      ? performance.setResourceTimingBufferSize.bind(performance)
      : undefined,
  count: () => performance.getEntriesByType('resource').length,
}

import type { LoopShare } from './requestLoop.js'

/**
 * Splits the load among `threads` senders at `factor` of the configured load (the memory mode's share): the
 * open model's rate and in-flight cap evenly (at least one request in flight each), the closed model's loops as
 * evenly as whole loops allow (at least one in all).
 */
export function splitShares(
  model: 'open' | 'closed',
  rate: number,
  concurrency: number,
  factor: number,
  threads: number,
): LoopShare[] {
  if (model === 'open') {
    const maxInFlight = Math.max(1, Math.ceil((concurrency * factor) / threads))
    return Array.from({ length: threads }, () => ({ model, ratePerSec: (rate * factor) / threads, maxInFlight }))
  }
  const loops = Math.max(1, Math.round(concurrency * factor))
  return Array.from({ length: threads }, (_, i) => ({
    model,
    loops: Math.floor(loops / threads) + (i < loops % threads ? 1 : 0),
  }))
}

/** Event-loop utilisation (0..1) at or above which a sender thread counts as saturated. */
export const SATURATED_ELU = 0.9

/**
 * Whether another sender thread would help: every thread's event loop was saturated over the last second, the
 * load is not met (open model: requests are waiting to be sent; closed model: always, it sends as fast as it can),
 * and the cap allows one more.
 */
export function shouldAddThread(state: {
  threads: number
  maxThreads: number
  elus: number[]
  behind: boolean
}): boolean {
  return (
    state.threads < state.maxThreads &&
    state.behind &&
    state.elus.length === state.threads &&
    state.elus.every((elu) => elu >= SATURATED_ELU)
  )
}

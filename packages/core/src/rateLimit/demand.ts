/**
 * Per-key demand: an exponentially weighted moving average (EWMA) of schedule calls per window, updated
 * in O(1) per call. Windows are fixed slots of `windowMs` (floor(now / windowMs)); slots with no call
 * decay the average by (1 - smoothing) each, computed in one step with a power, not a loop.
 */
export interface DemandEstimate {
  /** Index of the current slot, floor(now / windowMs). */
  slot: number
  /** Calls seen so far in the current slot. */
  callsThisSlot: number
  /** EWMA of calls per completed slot. */
  callsPerWindow: number
}

export function createDemandEstimate(): DemandEstimate {
  return { slot: Number.NEGATIVE_INFINITY, callsThisSlot: 0, callsPerWindow: 0 }
}

/** Counts one call at nowMs. `smoothing` in (0, 1]: the weight of the newest completed slot. */
export function observeCall(d: DemandEstimate, nowMs: number, windowMs: number, smoothing: number): void {
  const slot = Math.floor(nowMs / windowMs)
  if (slot > d.slot) {
    if (d.slot !== Number.NEGATIVE_INFINITY) {
      const emptySlots = slot - d.slot - 1
      d.callsPerWindow = smoothing * d.callsThisSlot + (1 - smoothing) * d.callsPerWindow
      if (emptySlots > 0) d.callsPerWindow *= (1 - smoothing) ** emptySlots
    }
    d.slot = slot
    d.callsThisSlot = 0
  }
  d.callsThisSlot++
}

/**
 * Predicted calls in the next window: the EWMA as it would be if the current slot closed now. It only
 * rises during a slot, so a surge is seen within the slot it starts in, not one window late.
 */
export function predictedCallsPerWindow(d: DemandEstimate, smoothing: number): number {
  return smoothing * d.callsThisSlot + (1 - smoothing) * d.callsPerWindow
}

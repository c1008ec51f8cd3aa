import { describe, expect, it } from 'vitest'
import { createDemandEstimate, observeCall, predictedCallsPerWindow } from './demand.js'

function callsAt(timesMs: number[], windowMs: number, smoothing: number) {
  const d = createDemandEstimate()
  for (const t of timesMs) observeCall(d, t, windowMs, smoothing)
  return d
}

describe('demand EWMA', () => {
  it('folds each completed window into the average with weight `smoothing`', () => {
    // 4 calls in [0, 1000), 8 in [1000, 2000), 1 in [2000, 3000)
    const times = [...Array(4).fill(10), ...Array(8).fill(1500), 2500]
    const d = callsAt(times, 1000, 0.5)
    expect(d).toEqual({ slot: 2, callsThisSlot: 1, callsPerWindow: 0.5 * 8 + 0.5 * (0.5 * 4) })
  })

  it('decays the average by (1 - smoothing) for every window without calls', () => {
    const d = callsAt([...Array(8).fill(0), 3500], 1000, 0.5)
    // window 0 closes at 4 (0.5 × 8), windows 1 and 2 are empty: 4 × 0.25 = 1
    expect(d.callsPerWindow).toBe(1)
  })

  it('predicts next-window demand as the average if the current window closed now', () => {
    const d = callsAt([...Array(10).fill(0), ...Array(6).fill(1200)], 1000, 0.5)
    expect(predictedCallsPerWindow(d, 0.5)).toBe(0.5 * 6 + 0.5 * 5)
  })
})

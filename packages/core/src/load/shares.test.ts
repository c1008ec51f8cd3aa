import { describe, expect, it } from 'vitest'
import { shouldAddThread, splitShares } from './shares.js'

describe('splitShares', () => {
  it('splits an open model evenly: rate and in-flight cap per thread, at the mode factor', () => {
    expect(splitShares('open', 1000, 100, 1, 2)).toEqual([
      { model: 'open', ratePerSec: 500, maxInFlight: 50 },
      { model: 'open', ratePerSec: 500, maxInFlight: 50 },
    ])
    expect(splitShares('open', 1000, 3, 0.25, 2)).toEqual([
      { model: 'open', ratePerSec: 125, maxInFlight: 1 },
      { model: 'open', ratePerSec: 125, maxInFlight: 1 },
    ])
  })

  it('splits closed-model loops in whole loops, keeping at least one loop in all', () => {
    expect(splitShares('closed', 0, 10, 1, 3).map((share) => (share.model === 'closed' ? share.loops : -1))).toEqual([
      4, 3, 3,
    ])
    expect(splitShares('closed', 0, 10, 0.5, 1)).toEqual([{ model: 'closed', loops: 5 }])
    expect(splitShares('closed', 0, 2, 0.25, 2).map((share) => (share.model === 'closed' ? share.loops : -1))).toEqual([
      1, 0,
    ])
  })
})

describe('shouldAddThread', () => {
  const state = { threads: 1, maxThreads: 3, elus: [0.95], behind: true }
  it('adds a thread when every thread is saturated, the load is not met and the cap allows', () => {
    expect(shouldAddThread(state)).toBe(true)
  })
  it('adds none when a thread has room, the load is met, the cap is reached or a new thread has not reported yet', () => {
    expect(shouldAddThread({ ...state, threads: 2, elus: [0.95, 0.5] })).toBe(false)
    expect(shouldAddThread({ ...state, behind: false })).toBe(false)
    expect(shouldAddThread({ ...state, maxThreads: 1 })).toBe(false)
    expect(shouldAddThread({ ...state, threads: 2, elus: [0.95] })).toBe(false)
  })
})

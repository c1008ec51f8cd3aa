import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startPoller } from '../src/poller.js'

// Pollers started here are never stopped by the tests; the fake clock that holds their
// intervals is cleared and uninstalled after every test, so nothing outlives it.
beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.clearAllTimers()
  vi.useRealTimers()
})

const intervals = Array.from({ length: 12 }, (_, i) => (i + 1) * 100)

describe('fake-timers', () => {
  it('polls every second with a 4000-sample window', () => {
    const poller = startPoller(1000, 4000)
    vi.advanceTimersByTime(5000)
    expect(poller.samples()).toBe(5)
  })

  it('stops polling when stopped', () => {
    const poller = startPoller(10, 16)
    vi.advanceTimersByTime(30)
    poller.stop()
    vi.advanceTimersByTime(100)
    expect(poller.samples()).toBe(3)
  })

  it.each(intervals)('polls every %i ms with a 2000-sample window', (ms) => {
    const poller = startPoller(ms, 2000)
    vi.advanceTimersByTime(ms * 4)
    expect(poller.samples()).toBe(4)
  })
})

import { describe, expect, it, vi } from 'vitest'
import { notifyAll } from '../src/listeners.js'
import { numbers } from '../src/payload.js'

// A fresh vi.fn() per test, handed to code that keeps nothing: the code is clean, but Vitest keeps
// every mock (and the reading it was called with) until the worker ends. qtests reports that as
// memory held by test tooling, not as the code's leak.
const sensors = Array.from({ length: 12 }, (_, i) => `sensor-${i + 1}`)

describe('mocks-in-test', () => {
  it('notifies a fresh listener of a 2500-value reading', () => {
    const listener = vi.fn()
    expect(notifyAll([listener], numbers(2500, 1))).toBe(1)
    expect(listener).toHaveBeenCalledOnce()
  })

  it('counts no listeners without a mock', () => {
    expect(notifyAll([], numbers(10))).toBe(0)
  })

  it.each(sensors)('notifies a fresh listener of %s with 2000 values', () => {
    const listener = vi.fn()
    notifyAll([listener], numbers(2000, 2))
    expect(listener).toHaveBeenCalledOnce()
  })
})

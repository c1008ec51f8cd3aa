import { describe, expect, it } from 'vitest'
import { createBackoffMs, evictionScore } from './evictionScore.js'

const limits = { maxAgeMs: 60_000, idleTimeoutMs: 10_000 }
const record = (over: Partial<Parameters<typeof evictionScore>[0]> = {}) => ({
  createdAtMs: 0,
  idleSinceMs: 0,
  errors: 0,
  broken: false,
  ...over,
})

describe('evictionScore', () => {
  it('puts broken resources first, then each error above age and idle shares', () => {
    expect(evictionScore(record({ broken: true }), 0, limits)).toBe(Number.POSITIVE_INFINITY)
    expect(evictionScore(record({ errors: 2 }), 0, limits)).toBe(2)
    // 30 s old (half of maxAgeMs) and idle 5 s (half of idleTimeoutMs)
    expect(evictionScore(record({ idleSinceMs: 25_000 }), 30_000, limits)).toBe(1)
    expect(
      evictionScore(record({ errors: 1, createdAtMs: 29_000, idleSinceMs: 30_000 }), 30_000, limits),
    ).toBeGreaterThan(
      evictionScore(record({ idleSinceMs: 25_000 }), 30_000, { maxAgeMs: 60_000, idleTimeoutMs: 20_000 }),
    )
  })

  it('ignores a limit that is Infinity', () => {
    expect(
      evictionScore(record(), 1e9, { maxAgeMs: Number.POSITIVE_INFINITY, idleTimeoutMs: Number.POSITIVE_INFINITY }),
    ).toBe(0)
  })
})

describe('createBackoffMs', () => {
  it('doubles from the initial delay per consecutive failure up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => createBackoffMs(n, 100, 1000))).toEqual([
      0, 100, 200, 400, 800, 1000, 1000,
    ])
  })
})

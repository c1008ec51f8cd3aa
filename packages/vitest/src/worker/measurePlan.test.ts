import { describe, expect, it } from 'vitest'
import { risingSteadily, spread } from './measurePlan.js'

const KB = 1024
const at = [0, 3, 5, 8, 10, 13]
/** cheap samples from per-test steps (bytes per test between consecutive sample points) */
function series(stepsPerTest: number[]): number[] {
  const bytes = [10_000_000]
  for (const [i, step] of stepsPerTest.entries()) bytes.push(bytes[i]! + step * (at[i + 1]! - at[i]!))
  return bytes
}

describe('risingSteadily', () => {
  const floorHalf = 8 * KB

  it('needs three samples', () => {
    expect(risingSteadily(series([40 * KB]), at, floorHalf)).toBe(false)
  })

  it('calls a leak at the floor rising, even when its cheap steps wobble', () => {
    // the corpus' global-registry and module-array leaks, as their cheap samples saw them
    expect(risingSteadily(series([7 * KB, 17 * KB]), at, floorHalf)).toBe(true)
    expect(risingSteadily(series([20 * KB, 20 * KB]), at, floorHalf)).toBe(true)
    expect(risingSteadily(series([22 * KB, 1 * KB, 16 * KB]), at, floorHalf)).toBe(true)
  })

  it('calls a steady rise with jumps rising', () => {
    expect(risingSteadily(series([64 * KB, 22 * KB]), at, floorHalf)).toBe(true)
  })

  it('does not call one busy test’s promoted garbage rising', () => {
    expect(risingSteadily(series([4 * KB, 42 * KB]), at, floorHalf)).toBe(false)
    expect(risingSteadily(series([633 * KB, 4 * KB]), at, floorHalf)).toBe(false)
  })

  it('asks both steps to rise and the pair to reach the bar on average', () => {
    expect(risingSteadily(series([-5 * KB, 40 * KB]), at, floorHalf)).toBe(false)
    expect(risingSteadily(series([5 * KB, 5 * KB]), at, floorHalf)).toBe(false)
  })

  it('looks at the last two steps only', () => {
    expect(risingSteadily(series([-800 * KB, 16 * KB, 14 * KB]), at, floorHalf)).toBe(true)
    expect(risingSteadily(series([20 * KB, 20 * KB, -3 * KB]), at, floorHalf)).toBe(false)
  })
})

describe('spread', () => {
  it('includes the first and the last test', () => {
    expect([...spread(14, 6)]).toEqual([0, 3, 5, 8, 10, 13])
  })

  it('takes every test when there are fewer than asked for', () => {
    expect([...spread(3, 6)]).toEqual([0, 1, 2])
    expect([...spread(1, 6)]).toEqual([0])
  })
})

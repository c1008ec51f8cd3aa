import { describe, expect, it } from 'vitest'
import { windowBounds, windowGrowth } from './windows.js'

describe('windowBounds', () => {
  it('splits samples into consecutive near-equal windows covering every sample once', () => {
    expect(windowBounds(10, 4)).toEqual([
      [0, 2],
      [2, 5],
      [5, 7],
      [7, 10],
    ])
  })
})

describe('windowGrowth', () => {
  it('compares each window median with the previous one', () => {
    const linear = Array.from({ length: 12 }, (_, i) => 1000 * i)
    expect(windowGrowth(linear, 4, 2000)).toEqual({
      windows: 4,
      growing: 3,
      growsInEveryWindow: true,
      steps: [3000, 3000, 3000],
    })
  })

  it('sees a single jump (lazy init) as growth in one window only', () => {
    const jump = [0, 0, 0, 0, 0, 0, 5000, 5000, 5000, 5000, 5000, 5000]
    expect(windowGrowth(jump, 4, 100)).toEqual({
      windows: 4,
      growing: 1,
      growsInEveryWindow: false,
      steps: [0, 5000, 0],
    })
  })

  it('needs a step strictly above the threshold', () => {
    const linear = Array.from({ length: 8 }, (_, i) => 1000 * i)
    expect(windowGrowth(linear, 4, 2000).growing).toBe(0)
    expect(windowGrowth(linear, 4, 1999).growing).toBe(3)
  })

  it('uses medians, so one outlier in a window of three does not move it', () => {
    const withSpike = [0, 0, 0, 1000, 900_000, 1000, 2000, 2000, 2000]
    expect(windowGrowth(withSpike, 3, 500).steps).toEqual([1000, 1000])
  })

  it('rejects fewer than two windows or more windows than samples', () => {
    expect(() => windowGrowth([1, 2, 3], 1, 0)).toThrow(
      'windows must be an integer from 2 to the number of samples (3); got 1',
    )
    expect(() => windowGrowth([1, 2, 3], 4, 0)).toThrow('got 4')
  })
})

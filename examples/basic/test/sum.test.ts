import { describe, expect, it } from 'vitest'
import { sum } from '../src/sum.js'

describe('sum', () => {
  it('adds two numbers', () => {
    expect(sum(2, 3)).toBe(5)
  })

  it('returns 0 for no numbers', () => {
    expect(sum()).toBe(0)
  })

  it.each([
    [[1], 1],
    [[1, 2, 3], 6],
    [[-4, 4], 0],
  ])('sum(%j) is %i', (values, expected) => {
    expect(sum(...values)).toBe(expected)
  })
})

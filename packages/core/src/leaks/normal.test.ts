import { describe, expect, it } from 'vitest'
import { normalCdf } from './normal.js'

describe('normalCdf', () => {
  it('is one half at zero, within the approximation error of 1.2e-7', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7)
  })

  it('gives 0.975 at the two-sided 95% quantile', () => {
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 7)
  })

  it('matches tabulated values in both tails', () => {
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 7)
    expect(normalCdf(2.5)).toBeCloseTo(0.993790335, 7)
    expect(normalCdf(-3) / 0.001349898).toBeCloseTo(1, 5)
  })

  it('keeps relative precision far in the lower tail', () => {
    expect(normalCdf(-8) / 6.220960574e-16).toBeCloseTo(1, 5)
  })

  it('is symmetric: Φ(z) + Φ(-z) = 1', () => {
    for (const z of [0.1, 0.7, 1.3, 2.9, 4.2]) expect(normalCdf(z) + normalCdf(-z)).toBeCloseTo(1, 12)
  })

  it('returns NaN for NaN', () => {
    expect(normalCdf(Number.NaN)).toBeNaN()
  })
})

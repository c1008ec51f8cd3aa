import { describe, expect, it } from 'vitest'
import { formatSeconds } from './repeatRun.js'

describe('formatSeconds', () => {
  it('says ms under 0.1 s, a tenth of a second under 10 s and whole seconds from there', () => {
    expect(formatSeconds(3)).toBe('3 ms')
    expect(formatSeconds(94)).toBe('94 ms')
    expect(formatSeconds(95)).toBe('0.1 s')
    expect(formatSeconds(2_449)).toBe('2.4 s')
    expect(formatSeconds(9_949)).toBe('9.9 s')
    expect(formatSeconds(9_950)).toBe('10 s')
    expect(formatSeconds(95_400)).toBe('95 s')
  })
})

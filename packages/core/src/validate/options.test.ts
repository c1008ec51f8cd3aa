import { describe, expect, it } from 'vitest'
import { checkKnownKeys, closestName, showValue } from './options.js'

describe('closestName', () => {
  const allowed = ['failureThreshold', 'volumeThreshold', 'timeoutMs', 'minLimit', 'maxLimit']

  it('finds a missing letter, a swapped pair, a case slip or a dropped unit', () => {
    expect(closestName('failureTreshold', allowed)).toBe('failureThreshold')
    expect(closestName('volmueThreshold', allowed)).toBe('volumeThreshold')
    expect(closestName('timeoutms', allowed)).toBe('timeoutMs')
    expect(closestName('timeout', allowed)).toBe('timeoutMs')
  })

  it('suggests nothing for a name far from every option, or equally near two', () => {
    expect(closestName('retries', allowed)).toBeUndefined()
    expect(closestName('mLimit', allowed)).toBeUndefined() // two edits from minLimit and from maxLimit
  })
})

describe('checkKnownKeys', () => {
  it('accepts known keys, even with undefined values', () => {
    expect(() => checkKnownKeys('X', { a: 1, b: undefined }, ['a', 'b'])).not.toThrow()
  })

  it('names the first unknown key with its path, the hint and every allowed key', () => {
    expect(() => checkKnownKeys('X', { a: 1, bb: 2 }, ['a', 'b'], 'nested')).toThrow(
      new RangeError('X: unknown option "nested.bb" (did you mean "nested.b"?); allowed options of nested: a, b.'),
    )
    expect(() => checkKnownKeys('X', { zzzz: 1 }, ['a'])).toThrow(
      new RangeError('X: unknown option "zzzz"; allowed options: a.'),
    )
  })
})

describe('showValue', () => {
  it('quotes strings so "300" is not read as the number 300', () => {
    expect([showValue('300'), showValue(300), showValue(null), showValue(undefined), showValue(() => 1)]).toEqual([
      '"300"',
      '300',
      'null',
      'undefined',
      'a function',
    ])
    expect([showValue([1]), showValue({}), showValue(Number.NaN), showValue(2n)]).toEqual([
      'an array',
      'an object',
      'NaN',
      '2n',
    ])
  })
})

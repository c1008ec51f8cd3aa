import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { safeJSONStringify } from './safeJSONStringify.js'

describe('safeJSONStringify', () => {
  it('writes a cycle as "[Circular]" and a shared (non-cyclic) reference in full each time', () => {
    const shared = { id: 1 }
    const root: Record<string, unknown> = { a: shared, b: shared, list: [] as unknown[] }
    root.self = root
    ;(root.list as unknown[]).push(root, shared)
    expect(safeJSONStringify(root)).toBe(
      '{"a":{"id":1},"b":{"id":1},"list":["[Circular]",{"id":1}],"self":"[Circular]"}',
    )
  })

  it('writes a BigInt as a string of its digits, also nested and through toJSON', () => {
    expect(safeJSONStringify({ big: 12345678901234567890n, list: [1n] })).toBe(
      '{"big":"12345678901234567890","list":["1"]}',
    )
    expect(safeJSONStringify(5n)).toBe('"5"')
  })

  it('sorts keys at every depth when asked, so equal values give equal text', () => {
    const a = { b: 1, a: { d: [{ z: 1, y: 2 }], c: 2 } }
    const b = { a: { c: 2, d: [{ y: 2, z: 1 }] }, b: 1 }
    expect(safeJSONStringify(a, { sortKeys: true })).toBe('{"a":{"c":2,"d":[{"y":2,"z":1}]},"b":1}')
    expect(safeJSONStringify(a, { sortKeys: true })).toBe(safeJSONStringify(b, { sortKeys: true }))
    expect(safeJSONStringify(a)).toBe(JSON.stringify(a))
  })

  it('gives JSON.stringify its text for everything JSON.stringify can write, sorted or not (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (value, space) => {
        expect(safeJSONStringify(value, { space })).toBe(JSON.stringify(value, undefined, space))
        expect(JSON.parse(safeJSONStringify(value, { sortKeys: true }) ?? 'null')).toEqual(
          JSON.parse(JSON.stringify(value) ?? 'null'),
        )
      }),
    )
  })

  it('follows JSON.stringify on toJSON, undefined, functions, symbols, non-finite numbers and boxed values when it walks', () => {
    const value = {
      when: new Date(0),
      gone: undefined,
      fn: () => 1,
      sym: Symbol('s'),
      list: [undefined, () => 1, Number.NaN, new Number(3), new String('s')],
      big: 1n,
      ['__proto__']: 1,
    }
    const expected = JSON.stringify({ ...value, big: '1' })
    expect(safeJSONStringify(value, { sortKeys: false })).toBe(expected)
    expect(safeJSONStringify(undefined)).toBeUndefined()
  })

  it('refuses unknown options and a non-boolean sortKeys', () => {
    expect(() => safeJSONStringify({}, { sortkeys: true } as never)).toThrow('did you mean "sortKeys"?')
    expect(() => safeJSONStringify({}, { sortKeys: 'yes' } as never)).toThrow(
      'safeJSONStringify: sortKeys must be true or false; got yes.',
    )
  })
})

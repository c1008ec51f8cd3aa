import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JSONParseError } from './errors.js'
import { jsonSyntaxPosition } from './jsonSyntaxPosition.js'
import { safeJSONParse } from './safeJSONParse.js'

function refusal(text: string | Uint8Array, options?: Parameters<typeof safeJSONParse>[1]): JSONParseError {
  try {
    safeJSONParse(text, options)
  } catch (error) {
    expect(error).toBeInstanceOf(JSONParseError)
    expect(error).toBeInstanceOf(SyntaxError)
    return error as JSONParseError
  }
  throw new Error(`safeJSONParse accepted ${String(text)}`)
}

describe('safeJSONParse', () => {
  it('parses what JSON.parse parses, with a reviver', () => {
    expect(safeJSONParse('{"a":[1,2,{"b":null}],"c":"x"}')).toEqual({ a: [1, 2, { b: null }], c: 'x' })
    expect(safeJSONParse('{"n":2}', { reviver: (_k, v) => (typeof v === 'number' ? v * 10 : v) })).toEqual({ n: 20 })
    expect(safeJSONParse(Buffer.from('[1,"é"]'))).toEqual([1, 'é'])
  })

  it('refuses a __proto__ key anywhere, literal or escaped, naming its position', () => {
    const text = '{"a": {"b": 1, "__proto__": {"admin": true}}}'
    const error = refusal(text)
    expect(error.kind).toBe('forbiddenKey')
    expect(error.position).toBe(text.indexOf('"__proto__"'))
    expect(error.message).toBe(
      'safeJSONParse: forbidden key "__proto__" at position 15 (line 1, column 16); such keys can rewrite object prototypes (prototype poisoning) and are refused.',
    )
    const escaped = '{\n  "x": 1,\n  "\\u005f_proto__": {"polluted": true}\n}'
    const e2 = refusal(escaped)
    expect([e2.kind, e2.position, e2.line, e2.column]).toEqual(['forbiddenKey', escaped.indexOf('"\\u005f'), 3, 3])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('refuses constructor.prototype but allows a plain "constructor" key', () => {
    const text = '{"constructor": {"prototype": {"isAdmin": true}}}'
    const error = refusal(text)
    expect([error.kind, error.position]).toEqual(['forbiddenKey', 1])
    expect(error.message).toContain('"constructor.prototype"')
    expect(safeJSONParse('{"constructor": "Person"}')).toEqual({ constructor: 'Person' })
  })

  it('names the position of a syntax error, also where V8 does not', () => {
    // V8 says only "Unexpected token '}', … is not valid JSON" here.
    const error = refusal('{"a":}')
    expect([error.kind, error.position, error.line, error.column]).toEqual(['syntax', 5, 1, 6])
    expect(error.message).toBe('safeJSONParse: invalid JSON, unexpected "}" at position 5 (line 1, column 6).')
    expect(refusal('[1,2').message).toBe(
      'safeJSONParse: invalid JSON, unexpected end of input at position 4 (line 1, column 5).',
    )
    expect(refusal('{"a":1}\n x').position).toBe(9)
    expect(refusal('\uFEFF{"a" 1}').position).toBe(6)
  })

  it('refuses a text over maxBytes (counted in UTF-8) before parsing it', () => {
    const error = refusal('["ééé"]', { maxBytes: 9 })
    expect([error.kind, error.position]).toEqual(['tooLarge', 9])
    expect(error.message).toBe(
      'safeJSONParse: text is 10 bytes, over maxBytes (9); pass a larger maxBytes if such input is expected.',
    )
    expect(safeJSONParse('["ééé"]', { maxBytes: 10 })).toEqual(['ééé'])
    expect(refusal(Buffer.from('[12345]'), { maxBytes: 6 }).kind).toBe('tooLarge')
    expect(refusal(`"${'x'.repeat(1024 * 1024)}"`).kind).toBe('tooLarge')
    expect(safeJSONParse(`"${'x'.repeat(1024 * 1024)}"`, { maxBytes: Number.POSITIVE_INFINITY })).toHaveLength(
      1024 * 1024,
    )
  })

  it('checks its options like every class in the package', () => {
    expect(() => safeJSONParse('1', { maxBytes: 0 })).toThrow(
      new RangeError('safeJSONParse: maxBytes must be a number of bytes > 0 or Infinity; got 0.'),
    )
    expect(() => safeJSONParse('1', { maxByte: 10 } as never)).toThrow(
      'safeJSONParse: unknown option "maxByte" (did you mean "maxBytes"?); allowed options: maxBytes, reviver.',
    )
  })

  it('finds the same first error position as V8 wherever V8 names one (property)', () => {
    fc.assert(
      fc.property(
        fc.json(),
        fc.nat(),
        fc.constantFrom('}', ']', ',', ':', '"', 'x', '0', ' '),
        (json, at, inserted) => {
          const i = at % (json.length + 1)
          const text = json.slice(0, i) + inserted + json.slice(i)
          let v8Position: number | undefined
          let valid = true
          try {
            JSON.parse(text)
          } catch (error) {
            valid = false
            const match = /at position (\d+)/.exec((error as Error).message)
            if (match) v8Position = Number(match[1])
            if (/Unexpected end of JSON input/.test((error as Error).message)) v8Position = text.length
          }
          const ours = jsonSyntaxPosition(text)
          if (valid) expect(ours).toBe(-1)
          else expect(ours).toBeGreaterThanOrEqual(0)
          if (v8Position !== undefined) expect(ours).toBe(v8Position)
        },
      ),
      { numRuns: 2000 },
    )
  })
})

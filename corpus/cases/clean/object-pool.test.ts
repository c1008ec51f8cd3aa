import { describe, expect, it } from 'vitest'
import { parsers } from '../src/parser-pool.js'

const documents = Array.from({ length: 12 }, (_, i) => `document ${i + 1} `.repeat(20))

describe('object-pool', () => {
  it('parses with a pooled parser', () => {
    const parser = parsers.acquire()
    expect(parser.parse('{"a":1}')).toBe(7)
    parsers.release(parser)
  })

  it('uses at most 4 parsers for 4 concurrent documents', () => {
    const inUse = [parsers.acquire(), parsers.acquire(), parsers.acquire(), parsers.acquire()]
    inUse.forEach((parser) => parsers.release(parser))
    expect(parsers.created).toBeLessThanOrEqual(4)
  })

  it.each(documents)('parses document %#', (document) => {
    const parser = parsers.acquire()
    expect(parser.parse(document)).toBe(document.length)
    parsers.release(parser)
  })
})

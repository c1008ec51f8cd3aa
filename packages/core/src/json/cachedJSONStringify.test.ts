import { describe, expect, it } from 'vitest'
import { fetchGc } from '../../test/gc.js'
import { cachedJSONStringify, JSONStringifyCache } from './cachedJSONStringify.js'

describe('JSONStringifyCache', () => {
  it('returns the cached text for the same object and counts hits and misses', () => {
    const cache = new JSONStringifyCache()
    const body = { users: [{ id: 1, name: 'a' }], total: 1 }
    const first = cache.stringify(body)
    expect(first).toBe(JSON.stringify(body))
    expect(cache.stringify(body)).toBe(first)
    expect(cache.stringify({ ...body })).toBe(first) // equal content, another object: a miss
    expect(cache.stats()).toEqual({ hits: 1, misses: 2, stale: 0, uncached: 0, entries: 2, bytes: first!.length * 4 })
  })

  it('freezes what it caches (default), so a later write throws instead of leaving a stale text', () => {
    const cache = new JSONStringifyCache()
    const body = { user: { name: 'a', tags: ['x'] } }
    cache.stringify(body)
    expect(() => {
      body.user.name = 'b'
    }).toThrow(TypeError)
    expect(() => body.user.tags.push('y')).toThrow(TypeError)
    expect(cache.stringify(body)).toBe('{"user":{"name":"a","tags":["x"]}}')
  })

  it('leaves an object with a typed array inside unfrozen and uncached', () => {
    const cache = new JSONStringifyCache()
    const body = { a: { bytes: new Uint8Array([1, 2]) } }
    expect(cache.stringify(body)).toBe(JSON.stringify(body))
    expect(Object.isFrozen(body) || Object.isFrozen(body.a)).toBe(false)
    expect(cache.stats()).toMatchObject({ uncached: 1, entries: 0 })
  })

  it('with freeze: false, notices top-level changes and (as documented) misses deeper ones until delete()', () => {
    const cache = new JSONStringifyCache({ freeze: false })
    const body: Record<string, unknown> = { a: 1, nested: { b: 1 } }
    cache.stringify(body)
    body.a = 2
    expect(cache.stringify(body)).toBe('{"a":2,"nested":{"b":1}}')
    body.c = 3
    expect(cache.stringify(body)).toBe('{"a":2,"nested":{"b":1},"c":3}')
    delete body.c
    expect(cache.stringify(body)).toBe('{"a":2,"nested":{"b":1}}')
    ;(body.nested as { b: number }).b = 2
    expect(cache.stringify(body)).toBe('{"a":2,"nested":{"b":1}}') // the stale case
    expect(cache.delete(body)).toBe(true)
    expect(cache.stringify(body)).toBe('{"a":2,"nested":{"b":2}}')
    expect(cache.stats().stale).toBe(3)
    const list = [1, 2]
    cache.stringify(list)
    list.push(3)
    expect(cache.stringify(list)).toBe('[1,2,3]')
  })

  it('keeps at most maxBytes of text, dropping the least recently used', () => {
    const cache = new JSONStringifyCache({ maxBytes: 100 })
    const objects = Array.from({ length: 5 }, (_, i) => ({ i, pad: 'x'.repeat(10) }))
    for (const o of objects) cache.stringify(o)
    const { entries, bytes } = cache.stats()
    expect(bytes).toBeLessThanOrEqual(100)
    expect(entries).toBe(Math.floor(100 / (JSON.stringify(objects[0]).length * 2)))
    expect(cache.stringify({ big: 'y'.repeat(100) })).toHaveLength(110)
    expect(cache.stats().uncached).toBe(1)
  })

  it('passes primitives straight to JSON.stringify and checks its options', () => {
    expect(cachedJSONStringify('a')).toBe('"a"')
    expect(cachedJSONStringify(undefined)).toBeUndefined()
    expect(() => new JSONStringifyCache({ maxBytes: -1 })).toThrow(
      'JSONStringifyCache: maxBytes must be an integer number of bytes ≥ 1; got -1.',
    )
    expect(() => new JSONStringifyCache({ frezee: false } as never)).toThrow('did you mean "freeze"?')
  })
})

describe('JSONStringifyCache memory', () => {
  it('does not keep an object alive: its entry goes when the object is collected', async () => {
    const gc = fetchGc()
    const cache = new JSONStringifyCache()
    let body: object | undefined = { big: 'x'.repeat(10_000) }
    cache.stringify(body)
    expect(cache.stats().entries).toBe(1)
    const ref = new WeakRef(body)
    body = undefined
    for (let i = 0; i < 10 && cache.stats().entries > 0; i++) {
      gc()
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(ref.deref()).toBeUndefined()
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 })
  })
})

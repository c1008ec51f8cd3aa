import { describe, expect, it } from 'vitest'
import { unreadFrom } from './keysRead.js'

describe('unreadFrom', () => {
  it('goes on after the keys read when only new ones were added', () => {
    const cache: Record<string, true> = { a: true, b: true }
    const read = { count: 2, last: 'b' }
    cache.c = true
    expect(unreadFrom(Object.keys(cache), read)).toBe(2)
  })

  it('reads from the start after a deletion, even when as many keys were added (delete a, require c)', () => {
    const cache: Record<string, true> = { a: true, b: true }
    const read = { count: 2, last: 'b' }
    delete cache.a
    cache.c = true
    expect(Object.keys(cache)).toHaveLength(2)
    expect(unreadFrom(Object.keys(cache), read)).toBe(0)
  })

  it('reads from the start when the last key read was deleted and added again', () => {
    const cache: Record<string, true> = { a: true, b: true }
    const read = { count: 2, last: 'b' }
    delete cache.b
    cache.c = true
    cache.b = true
    expect(unreadFrom(Object.keys(cache), read)).toBe(0)
  })

  it('reads everything the first time', () => {
    expect(unreadFrom(['a'], { count: 0, last: undefined })).toBe(0)
  })
})

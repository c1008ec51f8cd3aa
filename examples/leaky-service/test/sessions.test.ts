import { afterEach, describe, expect, it } from 'vitest'
import { SessionStore } from '../src/sessions.js'

// A store shared by the whole file, emptied after every test.
let nowMs = 0
const store = new SessionStore({ ttlMs: 60_000, now: () => nowMs })

afterEach(() => {
  store.clear()
  nowMs = 0
})

describe('SessionStore', () => {
  it('creates a session that can be read back', () => {
    const session = store.create('u1', { theme: 'dark' })
    expect(store.get(session.id)).toEqual({
      id: session.id,
      userId: 'u1',
      data: { theme: 'dark' },
      expiresAtMs: 60_000,
    })
  })

  it('holds a thousand sessions with their data', () => {
    for (let i = 0; i < 1000; i++) store.create(`u${i}`, { cart: 'x'.repeat(1024) })
    expect(store.size).toBe(1000)
  })

  it('forgets a destroyed session', () => {
    const { id } = store.create('u2')
    expect(store.destroy(id)).toBe(true)
    expect(store.get(id)).toBeUndefined()
  })

  it('expires a session after its time to live', () => {
    const { id } = store.create('u3')
    nowMs = 60_000
    expect(store.get(id)).toBeUndefined()
    expect(store.size).toBe(0)
  })

  it('sweeps only expired sessions', () => {
    store.create('old')
    nowMs = 30_000
    const fresh = store.create('fresh')
    nowMs = 61_000
    expect(store.sweep()).toBe(1)
    expect(store.get(fresh.id)?.userId).toBe('fresh')
  })
})

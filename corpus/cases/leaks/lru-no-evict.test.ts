import { describe, expect, it } from 'vitest'
import { text } from '../src/payload.js'
import { sessions, startSession, tokenPrefix } from '../src/session-cache.js'

const users = Array.from({ length: 10 }, (_, i) => `u${i + 1}`)

describe('lru-no-evict', () => {
  it('starts a session with a 200000-char profile', () => {
    const token = startSession('admin', text(200_000, 1))
    expect(sessions.get(token)?.profile).toHaveLength(200_000)
  })

  it('reads the token prefix', () => {
    expect(tokenPrefix('sess-u1-0')).toBe('sess')
  })

  it.each(users)('starts a session for %s with a 50000-char profile', (user) => {
    const token = startSession(user, text(50_000, user.length))
    expect(sessions.get(token)?.userId).toBe(user)
  })
})

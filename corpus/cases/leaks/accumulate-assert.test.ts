import { describe, expect, it } from 'vitest'
import { openSession, sessionCount } from '../src/session-store.js'

// Each test opens a session and asserts it is the user's only one: true on the test's own run, false
// on any later run, because the store never lets a session go. The failing repeats still keep their
// sessions: the leak is real, and its tests fail only when run again.
const users = Array.from({ length: 12 }, (_, i) => `member-${i + 1}`)

describe('accumulate-assert', () => {
  it('opens the admin session with 2500 values of state', () => {
    openSession('admin', 2500)
    expect(sessionCount('admin')).toBe(1)
  })

  it('counts no session for a stranger', () => {
    expect(sessionCount('stranger')).toBe(0)
  })

  it.each(users)('opens one session of 2000 values for %s', (user) => {
    openSession(user, 2000)
    expect(sessionCount(user)).toBe(1)
  })
})

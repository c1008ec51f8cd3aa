import { numbers } from './payload.js'

// Sessions are added and never removed: a leak. `count(user)` says how many a user has.
const sessions: Array<{ user: string; state: number[] }> = []

export function openSession(user: string, size: number): void {
  sessions.push({ user, state: numbers(size, 1) })
}

export function sessionCount(user: string): number {
  let count = 0
  for (const session of sessions) if (session.user === user) count++
  return count
}

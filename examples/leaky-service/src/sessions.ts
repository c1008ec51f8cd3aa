import { randomUUID } from 'node:crypto'

export interface Session {
  id: string
  userId: string
  data: Record<string, unknown>
  expiresAtMs: number
}

export interface SessionStoreOptions {
  /** How long a session lives after it is created, in milliseconds. Default: 30 minutes. */
  ttlMs?: number
  /** The clock, replaceable in tests. Default: `Date.now`. */
  now?: () => number
}

/** In-memory sessions with a fixed time to live; expired sessions are dropped on read and by `sweep()`. */
export class SessionStore {
  readonly #sessions = new Map<string, Session>()
  readonly #ttlMs: number
  readonly #now: () => number

  constructor(options: SessionStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 30 * 60_000
    this.#now = options.now ?? Date.now
  }

  get size(): number {
    return this.#sessions.size
  }

  create(userId: string, data: Record<string, unknown> = {}): Session {
    const session = { id: randomUUID(), userId, data, expiresAtMs: this.#now() + this.#ttlMs }
    this.#sessions.set(session.id, session)
    return session
  }

  get(id: string): Session | undefined {
    const session = this.#sessions.get(id)
    if (session && session.expiresAtMs <= this.#now()) {
      this.#sessions.delete(id)
      return undefined
    }
    return session
  }

  destroy(id: string): boolean {
    return this.#sessions.delete(id)
  }

  /** Drops every expired session; returns how many were dropped. */
  sweep(): number {
    const now = this.#now()
    let dropped = 0
    for (const [id, session] of this.#sessions) {
      if (session.expiresAtMs <= now) {
        this.#sessions.delete(id)
        dropped++
      }
    }
    return dropped
  }

  clear(): void {
    this.#sessions.clear()
  }
}

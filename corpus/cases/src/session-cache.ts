interface Entry<V> {
  value: V
  pinned: boolean
}

// Looks like an LRU: bounded by maxEntries, oldest first out. But entries are pinned while a
// request uses them and nothing ever unpins them, so evictOldest() never finds a victim.
export class SessionCache<V> {
  private readonly entries = new Map<string, Entry<V>>()

  constructor(private readonly maxEntries: number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.value
  }

  set(key: string, value: V): void {
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) this.evictOldest()
    this.entries.delete(key)
    this.entries.set(key, { value, pinned: true })
  }

  get size(): number {
    return this.entries.size
  }

  private evictOldest(): void {
    for (const [key, entry] of this.entries) {
      if (entry.pinned) continue
      this.entries.delete(key)
      return
    }
  }
}

export interface Session {
  userId: string
  profile: string
}

export const sessions = new SessionCache<Session>(64)
let issued = 0

export function startSession(userId: string, profile: string): string {
  const token = `sess-${userId}-${issued++}`
  sessions.set(token, { userId, profile })
  return token
}

export function tokenPrefix(token: string): string {
  return token.split('-')[0] ?? ''
}

import { beforeAll, describe, expect, it } from 'vitest'
import { LruCache } from '../src/cache.js'
import { type User, loadUser } from '../src/users.js'

// Long-lived and full from the start: every test below inserts more than it can hold,
// so entries are evicted and memory stays at the cap (~256 users of ~4 KB each).
const capacity = 256
const users = new LruCache<string, User>(capacity)
let nextUserNumber = 1

async function insertUsers(count: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const user = await loadUser(`u${nextUserNumber++}`)
    if (!user) throw new Error('user directory exhausted')
    users.set(user.id, user)
    ids.push(user.id)
  }
  return ids
}

beforeAll(async () => {
  await insertUsers(capacity)
})

describe('LruCache', () => {
  it('never holds more than maxEntries', async () => {
    await insertUsers(100)
    expect(users.size).toBe(capacity)
  })

  it('evicts the least recently used entry first', async () => {
    const [oldest, second] = users.keys()
    users.get(oldest!)
    await insertUsers(1)
    expect(users.has(oldest!)).toBe(true)
    expect(users.has(second!)).toBe(false)
  })

  it('replaces the value of an existing key without growing', () => {
    const [key] = users.keys()
    const before = users.size
    users.set(key!, { id: key!, name: 'renamed', email: 'r@example.test', bio: '' })
    expect(users.size).toBe(before)
    expect(users.get(key!)?.name).toBe('renamed')
  })

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new LruCache(0)).toThrow('maxEntries must be a positive integer, got 0')
  })

  it.each([16, 32, 64, 96, 128, 160, 192, 224, 256, 300])('stays at capacity after %i more inserts', async (count) => {
    const inserted = await insertUsers(count)
    expect(users.size).toBe(capacity)
    expect(users.has(inserted.at(-1)!)).toBe(true)
  })
})

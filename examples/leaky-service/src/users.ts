export interface User {
  id: string
  name: string
  email: string
  bio: string
}

const userCount = 100_000

/** Stands in for a database query: users `u1` … `u100000` exist, each with a ~4 KB bio. */
export async function loadUser(id: string): Promise<User | undefined> {
  const match = /^u(\d+)$/.exec(id)
  const n = Number(match?.[1])
  if (!Number.isInteger(n) || n < 1 || n > userCount) return undefined
  await Promise.resolve()
  return {
    id,
    name: `User ${n}`,
    email: `user${n}@example.test`,
    bio: `Bio of user ${n}. `.repeat(256),
  }
}

import { numbers } from './payload.js'

// An LRU of 100 decoded avatars (about 10 KB each). Every call decodes a new user's avatar, so the
// cache grows for its first 100 calls and then only replaces entries.
export const AVATAR_CACHE_CAPACITY = 100
const avatars = new Map<string, number[]>()
let users = 0

export function decodeAvatar(): number {
  const user = `user-${users++}`
  avatars.set(user, numbers(1250, users))
  if (avatars.size > AVATAR_CACHE_CAPACITY) {
    const oldest = avatars.keys().next()
    if (!oldest.done) avatars.delete(oldest.value)
  }
  return avatars.size
}

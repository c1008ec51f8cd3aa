// Pure: reading an object's keys on from where an earlier read left off (Node's require cache, at each file's end).

/** How many keys a read saw, and the last of them. */
export interface KeysRead {
  count: number
  last: string | undefined
}

/**
 * Where to go on reading `keys` after `read`: keys keep their insertion order, so the last key read is still at its
 * place unless a key before it (or it) was deleted — then from the start, since the indexes moved.
 */
export function unreadFrom(keys: readonly string[], read: KeysRead): number {
  return read.count > 0 && keys[read.count - 1] === read.last ? read.count : 0
}

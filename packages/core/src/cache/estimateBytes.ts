// Sizes on 64-bit V8 with pointer compression off (Node's default): 8-byte slots, a 16-byte header for
// a plain object or array, a 16-byte header per string. Rough on purpose: cheap, and within tens of
// percent of what a heap snapshot shows for typical JSON-like values (checked in the tests).
const HEADER = 16
const SLOT = 8
/** How many objects one estimate walks at most; the rest of a huge graph is counted by extrapolation. */
const MAX_NODES = 10_000

/**
 * Bytes `value` keeps alive, estimated: strings count 2 bytes per character (V8 stores Latin-1 text
 * in one byte, so this is an upper bound that needs no scan), Buffers and typed arrays their length,
 * objects and arrays a header, a slot per property and what the property holds. Shared sub-objects
 * count once. Used as `MemoryBoundedCache`'s default `sizeOf`.
 */
export function estimateBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return HEADER + 2 * value.length
    case 'number':
    case 'boolean':
    case 'undefined':
    case 'symbol':
      return SLOT
    case 'bigint':
      return HEADER + SLOT * Math.ceil(value.toString(16).length / 16)
    case 'function':
      return 64
  }
  if (value === null) return SLOT
  return estimateGraph(value as object)
}

function estimateGraph(root: object): number {
  const seen = new Set<object>()
  const stack: object[] = [root]
  let bytes = 0
  let rootBytes = 0
  let nodes = 0
  while (stack.length > 0) {
    if (nodes === 1) rootBytes = bytes
    const current = stack.pop()!
    if (seen.has(current)) continue
    seen.add(current)
    if (++nodes > MAX_NODES) {
      // Past the walk limit, assume what is still queued looks like what was walked below the root.
      return Math.round(bytes + ((bytes - rootBytes) / (nodes - 2)) * (stack.length + 1))
    }
    if (ArrayBuffer.isView(current)) {
      bytes += 64 + current.byteLength
      continue
    }
    if (current instanceof ArrayBuffer) {
      bytes += 64 + current.byteLength
      continue
    }
    bytes += HEADER
    if (current instanceof Map) {
      for (const [k, v] of current) {
        bytes += 3 * SLOT + leaf(k, stack) + leaf(v, stack)
      }
      continue
    }
    if (current instanceof Set) {
      for (const v of current) bytes += 2 * SLOT + leaf(v, stack)
      continue
    }
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) bytes += SLOT + leaf(current[i], stack)
      continue
    }
    for (const key in current) {
      bytes += SLOT + leaf((current as Record<string, unknown>)[key], stack)
    }
  }
  return bytes
}

/** Bytes of a primitive held in a slot (0 for small numbers and booleans, kept in the slot itself); objects are queued. */
function leaf(value: unknown, stack: object[]): number {
  switch (typeof value) {
    case 'string':
      return HEADER + 2 * value.length
    case 'number':
      // Integers that fit a Smi live in the slot; other numbers are boxed in a 16-byte HeapNumber.
      return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? 0 : HEADER
    case 'bigint':
      return HEADER + SLOT * Math.ceil(value.toString(16).length / 16)
    case 'object':
      if (value !== null) stack.push(value)
      return 0
    case 'function':
      return 0
    default:
      return 0
  }
}

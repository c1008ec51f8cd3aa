import { checkKnownKeys, checkOptionsObject } from '../validate/options.js'

export interface SafeJSONStringifyOptions {
  /** Sort object keys (by UTF-16 code units, as `Array.prototype.sort`), so equal values give equal text. Default false: insertion order, as JSON.stringify. */
  sortKeys?: boolean
  /** Indentation, as JSON.stringify's `space`. Default none. */
  space?: number | string
}

const OWNER = 'safeJSONStringify'
const OPTION_KEYS: Record<keyof SafeJSONStringifyOptions, true> = { sortKeys: true, space: true }
const OPTION_NAMES = Object.keys(OPTION_KEYS)

/** What a reference back to an object that contains it is written as. */
export const CIRCULAR = '[Circular]'

/**
 * JSON.stringify that does not throw on the two things it throws on: a cycle is written as the string
 * `"[Circular]"` (only a reference back to an enclosing object; the same object met twice side by side
 * is written twice, as JSON.stringify does), and a BigInt as a string of its digits (a JSON number
 * would lose precision in most readers). Everything else follows JSON.stringify: `toJSON`, `undefined`,
 * functions and symbols dropped from objects and `null` in arrays, non-finite numbers as `null`.
 * Returns undefined where JSON.stringify does (a bare `undefined` or function).
 */
export function safeJSONStringify(value: unknown, options?: SafeJSONStringifyOptions): string | undefined {
  const opts = checkOptionsObject(OWNER, options) as SafeJSONStringifyOptions
  checkKnownKeys(OWNER, opts, OPTION_NAMES)
  if (opts.sortKeys !== undefined && typeof opts.sortKeys !== 'boolean') {
    throw new RangeError(`${OWNER}: sortKeys must be true or false; got ${String(opts.sortKeys)}.`)
  }
  const sortKeys = opts.sortKeys === true
  // Without cycles, BigInts or sorting, JSON.stringify is the fastest correct answer; it throws a
  // TypeError on exactly those two cases, and only then does the walk below run.
  if (!sortKeys) {
    try {
      return JSON.stringify(value, undefined, opts.space)
    } catch (error) {
      if (!(error instanceof TypeError)) throw error
    }
  }
  const walked = walk(value, '', [], sortKeys)
  return walked === undefined ? undefined : JSON.stringify(walked, undefined, opts.space)
}

/**
 * A copy of `value` that JSON.stringify can write: cycles and BigInts replaced, `toJSON` applied, keys
 * sorted when asked. `ancestors` holds the objects on the path from the root (a stack, not a set of all
 * objects seen, so shared references are not mistaken for cycles).
 */
function walk(value: unknown, key: string, ancestors: object[], sortKeys: boolean): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (key: string) => unknown }).toJSON.call(value, key)
  }
  if (typeof value === 'bigint') return value.toString()
  if (value === null || typeof value !== 'object') return value
  // Boxed primitives are written as their value, as JSON.stringify does.
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return value.valueOf()
  if (ancestors.includes(value)) return CIRCULAR
  ancestors.push(value)
  try {
    if (Array.isArray(value)) {
      const out: unknown[] = new Array(value.length)
      for (let i = 0; i < value.length; i++) out[i] = walk(value[i], String(i), ancestors, sortKeys)
      return out
    }
    const keys = Object.keys(value)
    if (sortKeys) keys.sort()
    const out: Record<string, unknown> = {}
    for (const k of keys) {
      const v = walk((value as Record<string, unknown>)[k], k, ancestors, sortKeys)
      // Keep JSON.stringify's own rules for what is dropped (undefined, functions, symbols).
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
      else out[k] = v
    }
    return out
  } finally {
    ancestors.pop()
  }
}

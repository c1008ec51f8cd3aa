/**
 * A value as an error message shows it. Strings are quoted, so `'300'` (a string from a config file or an
 * environment variable) cannot be mistaken for the number 300 it resembles.
 */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'symbol') return value.toString()
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object' && value !== null) return 'an object'
  return String(value)
}

/** True for a number that is neither NaN nor ±Infinity (and not a numeric string: `'300' > 0` is true in JS). */
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

/** Has a `Symbol.iterator` method: an array, a Set, a Map, a generator, a string. */
export function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof (value as { [Symbol.iterator]?: unknown } | null | undefined)?.[Symbol.iterator] === 'function'
}

/**
 * Throws unless `signal` is undefined or looks like an AbortSignal. Duck-typed rather than `instanceof`:
 * a test environment such as jsdom brings its own AbortController, whose signals are not Node's.
 */
export function checkSignal(owner: string, signal: unknown): void {
  if (signal === undefined) return
  const s = signal as { aborted?: unknown; addEventListener?: unknown } | null
  if (typeof s === 'object' && s !== null && typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function')
    return
  throw new RangeError(`${owner}: signal must be an AbortSignal; got ${showValue(signal)}.`)
}

/**
 * `options` itself: undefined means every default; anything but a plain object (null, an array, a number)
 * is a mistake worth one clear error rather than a TypeError from deep inside the constructor.
 */
export function checkOptionsObject(owner: string, options: unknown, name = 'options'): Record<string, unknown> {
  if (options === undefined) return {}
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RangeError(`${owner}: ${name} must be an object or undefined; got ${showValue(options)}.`)
  }
  return options as Record<string, unknown>
}

/**
 * Throws one RangeError for the first own key of `options` that is not in `allowed`. A misspelt option
 * would otherwise be ignored and its default used without a word, which is hard to notice (a breaker that
 * never opens at the rate you set). `prefix` names a nested object (`redis` → "redis.leasMs").
 */
export function checkKnownKeys(owner: string, options: object, allowed: readonly string[], prefix?: string): void {
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue
    const path = (name: string) => (prefix === undefined ? name : `${prefix}.${name}`)
    const closest = closestName(key, allowed)
    const hint = closest === undefined ? '' : ` (did you mean ${JSON.stringify(path(closest))}?)`
    const where = prefix === undefined ? 'options' : `options of ${prefix}`
    throw new RangeError(
      `${owner}: unknown option ${JSON.stringify(path(key))}${hint}; allowed ${where}: ${allowed.join(', ')}.`,
    )
  }
}

/**
 * The allowed name nearest to `name` (edit distance with transpositions, ignoring case) when it is near
 * enough to be a typo: at most 2 edits, or a third of the name's length for long names. None on a tie,
 * where a guess would as likely mislead.
 */
export function closestName(name: string, allowed: readonly string[]): string | undefined {
  const most = Math.max(2, Math.floor(name.length / 3))
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  let tie = false
  for (const candidate of allowed) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
      tie = false
    } else if (distance === bestDistance) tie = true
  }
  return bestDistance <= most && !tie ? best : undefined
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, beforePrevious[j - 2]! + 1)
      current.push(d)
    }
    beforePrevious = previous
    previous = current
  }
  return previous[b.length]!
}

/**
 * Returns `value` when `ok(value)`, else throws the one RangeError every option error uses:
 * `Owner: name must be <allowed>; got <value>.`
 */
export function checkOption<V>(owner: string, name: string, value: V, ok: (v: unknown) => boolean, allowed: string): V {
  if (ok(value)) return value
  throw new RangeError(`${owner}: ${name} must be ${allowed}; got ${showValue(value)}.`)
}

/** Predicates for `checkOption`, shared so every class accepts the same things for the same words. */
export const is = {
  positive: (v: unknown) => isFiniteNumber(v) && v > 0,
  nonNegative: (v: unknown) => isFiniteNumber(v) && v >= 0,
  count: (v: unknown) => Number.isInteger(v) && (v as number) >= 0,
  positiveInteger: (v: unknown) => Number.isInteger(v) && (v as number) >= 1,
  fraction: (v: unknown) => isFiniteNumber(v) && v > 0 && v < 1,
  function: (v: unknown) => typeof v === 'function',
  positiveOrInfinity: (v: unknown) => v === Number.POSITIVE_INFINITY || (isFiniteNumber(v) && v > 0),
}

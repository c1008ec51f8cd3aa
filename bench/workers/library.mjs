// A generated TypeScript library for the graph and jsdom suites: a few shared core modules, N domain
// modules (functions with branches, a class, constant tables; each imports core modules and an earlier
// domain module) and an index re-exporting all of it, as utility libraries such as date-fns are laid out.
//
// The tests' expected values come from running this library itself: `evaluateLibrary` bundles it and runs
// it, and `evaluate` computes an expression against its exports. So an assertion cannot drift from the code it checks, and the generator needs no second copy
// of the library's logic.

import { rolldown } from 'rolldown'

/** A deterministic value in [0, 1) from two integers: neighbouring modules get unlike parameters. */
const unit = (a, b = 0) => {
  let h = Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b + 7, 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d)
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39)
  return ((h ^ (h >>> 15)) >>> 0) / 4294967296
}
const intIn = (min, max, a, b) => min + Math.floor(unit(a, b) * (max - min + 1))
const str = (value) => JSON.stringify(value)

const words = [
  'amber',
  'basalt',
  'cobalt',
  'dune',
  'ember',
  'fern',
  'granite',
  'harbor',
  'indigo',
  'jade',
  'kelp',
  'lichen',
  'marble',
  'nickel',
  'onyx',
  'pine',
  'quartz',
  'reed',
  'slate',
  'tundra',
  'umber',
  'vale',
  'willow',
  'yew',
  'zinc',
]

/** Shared helpers every domain module imports from: the bottom of the graph. */
const coreModules = {
  'core/math.ts': `/** Limits value to [min, max]. */
export function clamp(value: number, min: number, max: number): number {
  if (Number.isNaN(value)) throw new RangeError('clamp: value is NaN')
  if (min > max) throw new RangeError(\`clamp: min \${min} > max \${max}\`)
  return value < min ? min : value > max ? max : value
}

/** Rounds to a number of decimals, half away from zero. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals
  const scaled = Math.abs(value) * factor
  const rounded = Math.floor(scaled + 0.5) / factor
  return value < 0 ? -rounded : rounded
}

export function gcd(a: number, b: number): number {
  let x = Math.abs(a)
  let y = Math.abs(b)
  while (y !== 0) [x, y] = [y, x % y]
  return x
}

export function sumOf(values: readonly number[]): number {
  let total = 0
  for (const value of values) total += value
  return total
}
`,
  'core/hash.ts': `/** FNV-1a over the UTF-16 code units of text, as an unsigned 32-bit integer. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** A linear congruential sequence: the same numbers for the same seed. */
export function sequence(seed: number, count: number, modulo: number): number[] {
  const out: number[] = []
  let state = seed >>> 0
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    out.push(state % modulo)
  }
  return out
}
`,
  'core/table.ts': `import { fnv1a } from './hash'

/**
 * A lookup table built when the module loads, as locale and Unicode data tables are: each key's value is
 * derived from its hash, so the table is the same in every process.
 */
export function buildTable(name: string, size: number): Map<string, number> {
  const table = new Map<string, number>()
  for (let i = 0; i < size; i++) {
    const key = \`\${name}:\${i.toString(36)}\`
    table.set(key, fnv1a(key) % 100_000)
  }
  return table
}
`,
  'core/errors.ts': `export class LibraryError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(\`\${code}: \${message}\`)
    this.name = 'LibraryError'
  }
}

export function invariant(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new LibraryError(code, message)
}
`,
  'core/text.ts': `export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0)
}

export function capitalize(word: string): string {
  return word.length === 0 ? word : word[0]!.toUpperCase() + word.slice(1)
}

export function padStartTo(text: string, width: number, fill = ' '): string {
  return text.length >= width ? text : fill.repeat(width - text.length) + text
}
`,
}

// Each kind writes one domain module. `n` names its exports (unique across the library, as `export *` in
// the index needs), `dep` is an earlier domain module it builds on (or null), `p` its parameters. `probes`
// are expressions over the library's exports that tests assert on; `workload` is one that takes a few ms.
const kinds = {
  units: {
    params: (n) => ({
      factors: Array.from({ length: intIn(24, 60, n, 1) }, (_, k) => intIn(2, 997, n, k + 10)),
      base: intIn(3, 12, n, 2),
    }),
    source: (n, p) => `import { clamp, roundTo } from '../core/math'
import { invariant } from '../core/errors'

/** Conversion factors of this unit family, relative to unit 0. */
export const FACTORS_${n}: readonly number[] = ${str(p.factors)}
export const BASE_${n} = ${p.base}

export function convert${n}(value: number, from: number, to: number): number {
  invariant(from >= 0 && from < FACTORS_${n}.length, 'units', \`unknown unit \${from}\`)
  invariant(to >= 0 && to < FACTORS_${n}.length, 'units', \`unknown unit \${to}\`)
  if (from === to) return value
  const ratio = FACTORS_${n}[from]! / FACTORS_${n}[to]!
  return roundTo(value * ratio, ratio > 1 ? 2 : 4)
}

export function nearestUnit${n}(value: number): number {
  let best = 0
  let bestDistance = Number.POSITIVE_INFINITY
  for (let unit = 0; unit < FACTORS_${n}.length; unit++) {
    const distance = Math.abs(String(Math.round(Math.abs(value))).length * ${p.base * 100} - FACTORS_${n}[unit]!)
    if (distance < bestDistance) {
      best = unit
      bestDistance = distance
    }
  }
  return best
}

export class Converter${n} {
  private readonly cache = new Map<string, number>()
  hits = 0

  constructor(readonly precision: number) {}

  convert(value: number, from: number, to: number): number {
    const key = \`\${value}:\${from}:\${to}\`
    const cached = this.cache.get(key)
    if (cached !== undefined) {
      this.hits++
      return cached
    }
    const result = roundTo(convert${n}(value, from, to), clamp(this.precision, 0, 6))
    this.cache.set(key, result)
    return result
  }
}
`,
    probes: (n, p) => [
      `convert${n}(${intIn(1, 900, n, 3)}, ${intIn(0, p.factors.length - 1, n, 4)}, ${intIn(0, p.factors.length - 1, n, 5)})`,
      `nearestUnit${n}(${intIn(1, 5000, n, 6)})`,
      `(() => { const c = new Converter${n}(2); for (let i = 0; i < 40; i++) c.convert(i % 7, i % 3, 2); return [c.hits, c.convert(5, 1, 2)] })()`,
      `(() => { try { return convert${n}(1, ${p.factors.length}, 0) } catch (error) { return String(error) } })()`,
    ],
    workload: (n, p) =>
      `(() => { let total = 0; for (let i = 0; i < 20000; i++) total += convert${n}(i % 1000, i % ${p.factors.length}, (i * 7) % ${p.factors.length}); return Math.round(total) })()`,
  },
  text: {
    params: (n) => ({ stopwords: words.filter((_, k) => unit(n, k + 20) < 0.4), weight: intIn(2, 9, n, 3) }),
    source: (n, p) => `import { capitalize, words } from '../core/text'
import { fnv1a } from '../core/hash'

export const STOPWORDS_${n}: ReadonlySet<string> = new Set(${str(p.stopwords)})

/** Words of text without stopwords, each with how often it occurs, most frequent first. */
export function keywords${n}(text: string): Array<[string, number]> {
  const counts = new Map<string, number>()
  for (const word of words(text)) {
    if (STOPWORDS_${n}.has(word) || word.length < 3) continue
    counts.set(word, (counts.get(word) ?? 0) + 1)
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
}

export function score${n}(text: string): number {
  let score = 0
  for (const word of words(text)) {
    if (STOPWORDS_${n}.has(word)) score -= 1
    else if (word.length > 6) score += ${p.weight}
    else if (/^[aeiou]/.test(word)) score += 2
    else score += 1
  }
  return score
}

export function title${n}(text: string): string {
  return words(text)
    .map((word, i) => (i > 0 && STOPWORDS_${n}.has(word) ? word : capitalize(word)))
    .join(' ')
}

export class Index${n} {
  private readonly postings = new Map<string, Set<number>>()

  add(id: number, text: string): void {
    for (const word of words(text)) {
      if (STOPWORDS_${n}.has(word)) continue
      let ids = this.postings.get(word)
      if (!ids) {
        ids = new Set()
        this.postings.set(word, ids)
      }
      ids.add(id)
    }
  }

  search(query: string): number[] {
    let result: Set<number> | null = null
    for (const word of words(query)) {
      const ids = this.postings.get(word) ?? new Set<number>()
      result = result === null ? new Set(ids) : new Set([...result].filter((id) => ids.has(id)))
    }
    return [...(result ?? [])].sort((a, b) => a - b)
  }

  fingerprint(): number {
    return fnv1a([...this.postings.keys()].sort().join('|'))
  }
}
`,
    probes: (n) => {
      const sentence = Array.from({ length: 12 }, (_, k) => words[intIn(0, words.length - 1, n, k + 40)]).join(' ')
      return [
        `keywords${n}(${str(sentence)})`,
        `score${n}(${str(sentence)})`,
        `title${n}(${str(sentence)})`,
        `(() => { const index = new Index${n}(); ${str(sentence)}.split(' ').forEach((w, i) => index.add(i % 5, w + ' ' + ${str(words[n % words.length])})); return [index.search(${str(words[n % words.length])}), index.fingerprint()] })()`,
      ]
    },
    workload: (n) =>
      `(() => { let total = 0; for (let i = 0; i < 3000; i++) total += score${n}(${str(words.join(' '))}.slice(i % 50)); return total })()`,
  },
  calendar: {
    params: (n) => ({
      firstWeekday: intIn(0, 6, n, 1),
      holidays: Array.from({ length: intIn(4, 12, n, 2) }, (_, k) => intIn(1, 365, n, k + 30)),
    }),
    source: (n, p) => `import { invariant } from '../core/errors'
import { padStartTo } from '../core/text'

export const FIRST_WEEKDAY_${n} = ${p.firstWeekday}
export const HOLIDAYS_${n}: readonly number[] = ${str(p.holidays)}
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

export interface Day${n} {
  year: number
  month: number
  day: number
}

export function isLeapYear${n}(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

export function daysInMonth${n}(year: number, month: number): number {
  invariant(month >= 1 && month <= 12, 'calendar', \`month \${month}\`)
  return month === 2 && isLeapYear${n}(year) ? 29 : DAYS_IN_MONTH[month - 1]!
}

export function dayOfYear${n}(date: Day${n}): number {
  let total = date.day
  for (let month = 1; month < date.month; month++) total += daysInMonth${n}(date.year, month)
  return total
}

export function addDays${n}(date: Day${n}, days: number): Day${n} {
  let { year, month, day } = date
  day += days
  while (day > daysInMonth${n}(year, month)) {
    day -= daysInMonth${n}(year, month)
    month++
    if (month > 12) {
      month = 1
      year++
    }
  }
  while (day < 1) {
    month--
    if (month < 1) {
      month = 12
      year--
    }
    day += daysInMonth${n}(year, month)
  }
  return { year, month, day }
}

/** Weekday 0-6 counted from FIRST_WEEKDAY (Zeller's congruence). */
export function weekday${n}(date: Day${n}): number {
  const m = date.month < 3 ? date.month + 12 : date.month
  const y = date.month < 3 ? date.year - 1 : date.year
  const h = (date.day + Math.floor((13 * (m + 1)) / 5) + y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400)) % 7
  return (((h + 6) % 7) - FIRST_WEEKDAY_${n} + 7) % 7
}

export function isBusinessDay${n}(date: Day${n}): boolean {
  const weekday = (weekday${n}(date) + FIRST_WEEKDAY_${n}) % 7
  return weekday !== 0 && weekday !== 6 && !HOLIDAYS_${n}.includes(dayOfYear${n}(date))
}

export function format${n}(date: Day${n}): string {
  return \`\${date.year}-\${padStartTo(String(date.month), 2, '0')}-\${padStartTo(String(date.day), 2, '0')}\`
}
`,
    probes: (n) => {
      const day = `{ year: ${intIn(1990, 2030, n, 5)}, month: ${intIn(1, 12, n, 6)}, day: ${intIn(1, 28, n, 7)} }`
      return [
        `format${n}(addDays${n}(${day}, ${intIn(-400, 400, n, 8)}))`,
        `dayOfYear${n}(${day})`,
        `[weekday${n}(${day}), isBusinessDay${n}(${day}), isLeapYear${n}(${intIn(1890, 2110, n, 9)})]`,
        `(() => { let d = ${day}; let count = 0; for (let i = 0; i < 60; i++) { d = addDays${n}(d, 1); if (isBusinessDay${n}(d)) count++ } return [count, format${n}(d)] })()`,
      ]
    },
    workload: (n) =>
      `(() => { let d = { year: 2000, month: 1, day: 1 }; let business = 0; for (let i = 0; i < 6000; i++) { d = addDays${n}(d, 1); if (isBusinessDay${n}(d)) business++ } return [business, format${n}(d)] })()`,
  },
  money: {
    params: (n) => ({
      currency: ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK'][n % 6],
      minorDigits: n % 6 === 4 ? 0 : 2,
      feeBasisPoints: intIn(5, 300, n, 3),
    }),
    source: (n, p) => `import { gcd, sumOf } from '../core/math'
import { LibraryError } from '../core/errors'

export const CURRENCY_${n} = ${str(p.currency)}
export const FEE_BASIS_POINTS_${n} = ${p.feeBasisPoints}

export class Money${n} {
  constructor(readonly minor: number) {
    if (!Number.isInteger(minor)) throw new LibraryError('money', \`not whole minor units: \${minor}\`)
  }

  add(other: Money${n}): Money${n} {
    return new Money${n}(this.minor + other.minor)
  }

  fee(): Money${n} {
    return new Money${n}(Math.round((this.minor * FEE_BASIS_POINTS_${n}) / 10_000))
  }

  /** Splits into parts by ratio; the remainder goes to the first parts, one unit each. */
  allocate(ratios: readonly number[]): Money${n}[] {
    const total = sumOf(ratios)
    if (total <= 0) throw new LibraryError('money', 'ratios must add up to more than 0')
    const parts = ratios.map((ratio) => Math.floor((this.minor * ratio) / total))
    let remainder = this.minor - sumOf(parts)
    for (let i = 0; remainder > 0; i = (i + 1) % parts.length, remainder--) parts[i]!++
    return parts.map((minor) => new Money${n}(minor))
  }

  format(): string {
    const sign = this.minor < 0 ? '-' : ''
    const digits = String(Math.abs(this.minor)).padStart(${p.minorDigits + 1}, '0')
    const whole = ${p.minorDigits === 0 ? 'digits' : `digits.slice(0, -${p.minorDigits})`}
    const grouped = whole.replace(/\\B(?=(\\d{3})+(?!\\d))/g, ',')
    return \`\${sign}\${grouped}${p.minorDigits === 0 ? '' : `.\${digits.slice(-${p.minorDigits})}`} \${CURRENCY_${n}}\`
  }
}

export function simplestRatio${n}(a: number, b: number): [number, number] {
  const divisor = gcd(a, b) || 1
  return [a / divisor, b / divisor]
}
`,
    probes: (n) => [
      `new Money${n}(${intIn(-99999, 9999999, n, 4)}).format()`,
      `new Money${n}(${intIn(1000, 999999, n, 5)}).allocate([${intIn(1, 5, n, 6)}, ${intIn(1, 5, n, 7)}, ${intIn(1, 5, n, 8)}]).map((part) => part.minor)`,
      `new Money${n}(${intIn(100, 99999, n, 9)}).add(new Money${n}(${intIn(1, 999, n, 10)})).fee().format()`,
      `simplestRatio${n}(${intIn(2, 400, n, 11) * 6}, ${intIn(2, 400, n, 12) * 4})`,
    ],
    workload: (n) =>
      `(() => { let total = new Money${n}(0); for (let i = 0; i < 8000; i++) total = total.add(new Money${n}(i).fee()); return total.format() })()`,
  },
  codec: {
    params: (n) => {
      const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'.split('')
      for (let i = alphabet.length - 1; i > 0; i--) {
        const j = intIn(0, i, n, i + 50)
        ;[alphabet[i], alphabet[j]] = [alphabet[j], alphabet[i]]
      }
      return { alphabet: alphabet.join(''), group: intIn(3, 6, n, 1) }
    },
    source: (n, p) => `import { fnv1a } from '../core/hash'
import { invariant } from '../core/errors'

export const ALPHABET_${n} = ${str(p.alphabet)}

export function encode${n}(value: number): string {
  invariant(Number.isInteger(value) && value >= 0, 'codec', \`cannot encode \${value}\`)
  if (value === 0) return ALPHABET_${n}[0]!
  let out = ''
  for (let rest = value; rest > 0; rest = Math.floor(rest / ALPHABET_${n}.length)) out = ALPHABET_${n}[rest % ALPHABET_${n}.length] + out
  return out
}

export function decode${n}(text: string): number {
  let value = 0
  for (const char of text) {
    const digit = ALPHABET_${n}.indexOf(char)
    invariant(digit >= 0, 'codec', \`unknown character \${char}\`)
    value = value * ALPHABET_${n}.length + digit
  }
  return value
}

export function runLength${n}(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; ) {
    let j = i
    while (j < text.length && text[j] === text[i]) j++
    out += j - i > 1 ? \`\${j - i}\${text[i]}\` : text[i]
    i = j
  }
  return out
}

/** Luhn check digit over the decimal digits of value. */
export function checkDigit${n}(value: number): number {
  let sum = 0
  const digits = String(value)
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i])
    if (i % 2 === 0) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return (10 - (sum % 10)) % 10
}

export function token${n}(seed: string): string {
  const raw = encode${n}(fnv1a(seed))
  const groups: string[] = []
  for (let i = 0; i < raw.length; i += ${p.group}) groups.push(raw.slice(i, i + ${p.group}))
  return groups.join('-')
}
`,
    probes: (n) => [
      `encode${n}(${intIn(0, 2 ** 31, n, 3)})`,
      `decode${n}(encode${n}(${intIn(0, 2 ** 31, n, 4)}))`,
      `runLength${n}(${str(`aaab${'c'.repeat(intIn(2, 9, n, 5))}dd${'e'.repeat(intIn(1, 4, n, 6))}f`)})`,
      `[checkDigit${n}(${intIn(1000, 99999999, n, 7)}), token${n}(${str(words[n % words.length])})]`,
    ],
    workload: (n) =>
      `(() => { let total = 0; for (let i = 0; i < 15000; i++) total += decode${n}(encode${n}(i * 7919)) % 1000; return total })()`,
  },
  stats: {
    params: (n) => ({
      sample: Array.from({ length: intIn(40, 120, n, 1) }, (_, k) => intIn(0, 1000, n, k + 60)),
      bins: intIn(4, 12, n, 2),
    }),
    source: (n, p) => `import { roundTo, sumOf } from '../core/math'
import { sequence } from '../core/hash'

export const SAMPLE_${n}: readonly number[] = ${str(p.sample)}

export function mean${n}(values: readonly number[]): number {
  if (values.length === 0) return 0
  return roundTo(sumOf(values) / values.length, 3)
}

export function percentile${n}(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of nothing')
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  return low === high ? sorted[low]! : roundTo(sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low), 3)
}

export function histogram${n}(values: readonly number[], bins = ${p.bins}): number[] {
  const counts = new Array<number>(bins).fill(0)
  const max = Math.max(...values, 1)
  for (const value of values) counts[Math.min(bins - 1, Math.floor((value / max) * bins))]!++
  return counts
}

export class Running${n} {
  count = 0
  private total = 0
  private min = Number.POSITIVE_INFINITY
  private max = Number.NEGATIVE_INFINITY

  push(value: number): this {
    this.count++
    this.total += value
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
    return this
  }

  summary(): { count: number; mean: number; range: number } {
    return { count: this.count, mean: this.count ? roundTo(this.total / this.count, 3) : 0, range: this.count ? this.max - this.min : 0 }
  }
}

export function simulate${n}(seed: number, count: number): { count: number; mean: number; range: number } {
  const running = new Running${n}()
  for (const value of sequence(seed, count, 1000)) running.push(value)
  return running.summary()
}
`,
    probes: (n) => [
      `[mean${n}(SAMPLE_${n}), percentile${n}(SAMPLE_${n}, ${intIn(1, 99, n, 3)})]`,
      `histogram${n}(SAMPLE_${n})`,
      `simulate${n}(${intIn(1, 9999, n, 4)}, ${intIn(50, 500, n, 5)})`,
      `(() => { try { return percentile${n}([], 50) } catch (error) { return String(error) } })()`,
    ],
    workload: (n) =>
      `(() => { let total = 0; for (let i = 0; i < 300; i++) total += simulate${n}(i, 200).range; return total })()`,
  },
  rules: {
    params: (n) => ({
      minLength: intIn(2, 6, n, 1),
      maxLength: intIn(12, 40, n, 2),
      banned: words.filter((_, k) => unit(n, k + 80) < 0.15),
    }),
    source: (n, p) => `import { words } from '../core/text'
import { LibraryError } from '../core/errors'

export const BANNED_${n}: readonly string[] = ${str(p.banned)}

export type Rule${n} = { kind: 'length'; min: number; max: number } | { kind: 'pattern'; pattern: RegExp; code: string } | { kind: 'banned' }

export const DEFAULT_RULES_${n}: readonly Rule${n}[] = [
  { kind: 'length', min: ${p.minLength}, max: ${p.maxLength} },
  { kind: 'pattern', pattern: /^[a-z]/, code: 'starts-with-letter' },
  { kind: 'pattern', pattern: /^[a-z0-9 -]*$/, code: 'plain-characters' },
  { kind: 'banned' },
]

export class Validator${n} {
  constructor(private readonly rules: readonly Rule${n}[] = DEFAULT_RULES_${n}) {}

  errors(value: string): string[] {
    const found: string[] = []
    for (const rule of this.rules) {
      switch (rule.kind) {
        case 'length':
          if (value.length < rule.min) found.push('too-short')
          else if (value.length > rule.max) found.push('too-long')
          break
        case 'pattern':
          if (!rule.pattern.test(value)) found.push(rule.code)
          break
        case 'banned':
          if (words(value).some((word) => BANNED_${n}.includes(word))) found.push('banned-word')
          break
        default:
          throw new LibraryError('rules', 'unknown rule')
      }
    }
    return found
  }

  isValid(value: string): boolean {
    return this.errors(value).length === 0
  }
}

export function validateAll${n}(values: readonly string[]): Record<string, string[]> {
  const validator = new Validator${n}()
  const out: Record<string, string[]> = {}
  for (const value of values) {
    const errors = validator.errors(value)
    if (errors.length > 0) out[value] = errors
  }
  return out
}
`,
    probes: (n) => {
      const candidates = [
        words[n % words.length],
        `${words[(n + 3) % words.length]} ${words[(n + 9) % words.length]}`,
        'X',
        `9${words[(n + 5) % words.length]}`,
        `${words[(n + 1) % words.length]}!`,
      ]
      return [
        `validateAll${n}(${str(candidates)})`,
        `new Validator${n}().errors(${str('a'.repeat(intIn(1, 45, n, 3)))})`,
        `${str(candidates)}.map((value) => new Validator${n}().isValid(value))`,
      ]
    },
    workload: (n) =>
      `(() => { const validator = new Validator${n}(); let valid = 0; for (let i = 0; i < 6000; i++) if (validator.isValid(${str(words.join(' '))}.slice(i % 60, (i % 60) + 5 + (i % 30)))) valid++; return valid })()`,
  },
}

const kindNames = Object.keys(kinds)

/**
 * The library of `count` domain modules: `modules` (path under src/ -> TypeScript source, index last) and,
 * per domain module, the probes and workload tests can assert on. Module k is `lib/<kind><k>.ts`.
 */
export function buildLibrary(count, { tableSize = 2000 } = {}) {
  const modules = { ...coreModules }
  const domain = []
  for (let n = 0; n < count; n++) {
    const kind = kindNames[n % kindNames.length]
    const p = kinds[kind].params(n)
    // A table each module builds when it loads: its share of what loading the library costs a worker.
    const table = `export const TABLE_${n}: ReadonlyMap<string, number> = buildTable('${kind}${n}', ${tableSize})\n\nexport function lookup${n}(index: number): number {\n  return TABLE_${n}.get(\`${kind}${n}:\${index.toString(36)}\`) ?? -1\n}\n`
    const kindSource = kinds[kind].source(n, p)
    let source = `import { buildTable } from '../core/table'\n${kindSource}\n${table}`
    // Most modules build on an earlier one, as library functions call each other; the graph stays acyclic.
    if (n >= kindNames.length && unit(n, 99) < 0.7) {
      const dep = domain[intIn(0, n - 1, n, 98)]
      source = `import { ${dep.firstExport} } from './${dep.file}'\n${source}\n/** What this module takes from its neighbour. */\nexport const related${n} = () => ${dep.firstExport}\n`
    }
    const file = `${kind}${n}`
    modules[`lib/${file}.ts`] = source
    const firstExport = /export (?:function|const|class) (\w+)/.exec(kindSource)[1]
    const probes = [
      ...kinds[kind].probes(n, p),
      `[lookup${n}(${intIn(0, tableSize - 1, n, 97)}), lookup${n}(${tableSize}), TABLE_${n}.size]`,
    ]
    domain.push({ n, kind, file, firstExport, probes, workload: kinds[kind].workload(n, p) })
  }
  const index = [
    '// The library entry: every module re-exported, as a utility library publishes it.',
    ...Object.keys(coreModules).map((path) => `export * from './${path.replace(/\.ts$/, '')}'`),
    ...domain.map((module) => `export * from './lib/${module.file}'`),
  ]
  modules['index.ts'] = `${index.join('\n')}\n`
  return { modules, domain }
}

/**
 * Bundles the library from `input` (rolldown, the bundler under Vite 8; TypeScript is stripped as Vite strips
 * it) to one CommonJS script and runs it; resolves to { evaluate, exportNames }: `evaluate(expression)` is the
 * expression's value as JSON carries it, computed against the library's exports and `globals`. Imports of
 * `externals` (package name -> the loaded package) are left to those packages, as Vitest leaves node_modules
 * to Node.
 */
export async function evaluateLibrary(modules, { input = 'index.ts', externals = {}, globals = {} } = {}) {
  const bundle = await rolldown({
    input,
    logLevel: 'silent',
    external: Object.keys(externals),
    plugins: [
      {
        name: 'generated-library',
        resolveId(specifier, importer) {
          if (specifier in externals) return null // the `external` option keeps it out of the bundle
          return importer ? `${resolvePath(dirOf(importer), specifier)}.ts` : specifier
        },
        load: (id) => modules[id],
      },
    ],
  })
  const { output } = await bundle.generate({ format: 'cjs' })
  await bundle.close()
  const module = { exports: {} }
  new Function('module', 'exports', 'require', output[0].code)(module, module.exports, (id) => externals[id])
  const scope = { ...globals, ...module.exports }
  const evaluate = (expression) =>
    JSON.parse(JSON.stringify(new Function('scope', `with (scope) { return (${expression}) }`)(scope)))
  return { evaluate, exportNames: new Set(Object.keys(module.exports)) }
}

const dirOf = (path) => path.slice(0, path.lastIndexOf('/') + 1)

/** `dir` + a relative specifier, without `.` and `..` segments. */
function resolvePath(dir, specifier) {
  const out = []
  for (const part of `${dir}${specifier}`.split('/')) {
    if (part === '..') out.pop()
    else if (part !== '.' && part !== '') out.push(part)
  }
  return out.join('/')
}

/** Names of the library's exports an expression uses, for the test file's import line. */
export function usedExports(expressions, exportNames) {
  const used = new Set()
  for (const expression of expressions)
    for (const [name] of expression.matchAll(/\b[A-Za-z_]\w*\b/g)) if (exportNames.has(name)) used.add(name)
  return [...used].sort()
}

/** An `it` that asserts an expression's value, as the library computed it in the generator. */
export const probeTest = (title, expression, evaluate) => `  it(${JSON.stringify(title)}, () => {
    expect(${expression}).toEqual(${JSON.stringify(evaluate(expression))})
  })`

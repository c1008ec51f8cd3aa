#!/usr/bin/env node
// Generates the overhead benchmark's default suite, `app`: a deterministic, leak-free Vitest suite that
// looks like a real application's tests, ~40 small TypeScript modules in src/ and N test files in test/,
// plus the three Vitest configs the overhead benchmark compares (libs.mjs writes the same configs for the
// `libs` suite). Same seed and file count -> byte-identical output.
//
//   node bench/overhead/generate.mjs [--files 200] [--seed 1] [--out <dir>]

import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const benchDir = dirname(fileURLToPath(import.meta.url))
export const defaultOutDir = join(benchDir, '.generated', 'app')
// Bump when the generated output changes, so run.mjs regenerates a stale suite.
export const generatorVersion = 4
export const moduleCount = 40
/** Iterations per test in the hunt-mode measurement (written into vitest.hunt.config.mjs). */
export const huntIterations = 10

// mulberry32: tiny, fast, and the same sequence on every Node version.
function createRandom(seed) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min, max) => min + Math.floor(next() * (max - min + 1))
  const pick = (items) => items[Math.floor(next() * items.length)]
  const chance = (p) => next() < p
  const shuffle = (items) => {
    const copy = [...items]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      ;[copy[i], copy[j]] = [copy[j], copy[i]]
    }
    return copy
  }
  return { next, int, pick, chance, shuffle }
}

const words = [
  'alpha',
  'bravo',
  'cedar',
  'delta',
  'ember',
  'fjord',
  'gamma',
  'harbor',
  'iris',
  'juniper',
  'kilo',
  'lumen',
  'maple',
  'nectar',
  'orbit',
  'pepper',
  'quartz',
  'river',
  'sierra',
  'tango',
  'umber',
  'violet',
  'willow',
  'xenon',
  'yarrow',
  'zephyr',
]
const str = (value) => JSON.stringify(value)

// ---------------------------------------------------------------------------------------------
// Module kinds. Each kind writes one module's source and offers test cases that are correct by
// construction (expected values are derived from the same inputs, or computed here in JS).
// A case returns { code, tests } where tests is how many Vitest tests the code declares.
// Cases marked `workload` do a few ms of real work (10k-element arrays, thousands of rows).
// ---------------------------------------------------------------------------------------------

const kinds = {
  parser: {
    source: (v) => `export const SEPARATOR = ${str(v.sep)}

export function parseLine(line: string, separator: string = SEPARATOR): string[] {
  return line.split(separator).map((cell) => cell.trim())
}

export function parseKeyValue(input: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of input.split(';')) {
    if (part.trim() === '') continue
    const eq = part.indexOf('=')
    if (eq < 0) throw new Error(\`not a key=value pair: \${part}\`)
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim()
  }
  return out
}

export function parseIntStrict(text: string): number {
  if (!/^-?\\d+$/.test(text.trim())) throw new Error(\`not an integer: \${text}\`)
  return Number(text)
}

export function parseTable(text: string, separator: string = SEPARATOR): string[][] {
  return text
    .split('\\n')
    .filter((line) => line.length > 0)
    .map((line) => parseLine(line, separator))
}
`,
    params: (r) => ({ sep: r.pick([',', ';', '|', '\t']) }),
    cases: [
      (r, m) => {
        const cells = r.shuffle(words).slice(0, r.int(2, 6))
        return {
          tests: 1,
          code: `it('splits a line into ${cells.length} trimmed cells', () => {
  const line = ${str(cells)}.map((c) => \` \${c} \`).join(${m}.SEPARATOR)
  expect(${m}.parseLine(line)).toEqual(${str(cells)})
})`,
        }
      },
      (r, m) => {
        const keys = r.shuffle(words).slice(0, r.int(2, 5))
        const obj = Object.fromEntries(keys.map((k) => [k, String(r.int(0, 999))]))
        const text = Object.entries(obj)
          .map(([k, v]) => `${k}=${v}`)
          .join('; ')
        return {
          tests: 1,
          code: `it('parses ${keys.length} key=value pairs', () => {
  expect(${m}.parseKeyValue(${str(text)})).toEqual(${str(obj)})
})`,
        }
      },
      (r, m) => ({
        tests: 1,
        code: `it('rejects a pair without "="', () => {
  expect(() => ${m}.parseKeyValue('a=1; ${r.pick(words)}')).toThrow(/not a key=value pair/)
})`,
      }),
      (r, m) => {
        const rows = Array.from({ length: r.int(3, 6) }, () => {
          const n = r.int(-5000, 5000)
          return [String(n), n]
        })
        return {
          tests: rows.length,
          code: `it.each(${str(rows)})('parseIntStrict(%s) is %i', (text, expected) => {
  expect(${m}.parseIntStrict(text)).toBe(expected)
})`,
        }
      },
      (r, m) => ({
        tests: 4,
        code: `it.each(['12a', '', '1.5', '${r.pick(words)}'])('parseIntStrict rejects %j', (text) => {
  expect(() => ${m}.parseIntStrict(text)).toThrow()
})`,
      }),
      (r, m) => {
        const rows = r.int(2000, 6000)
        return {
          tests: 1,
          workload: true,
          code: `it('parses a ${rows}-row table', () => {
  const lines: string[] = []
  for (let i = 0; i < ${rows}; i++) lines.push([i, \`name\${i}\`, i % 7, 'x'].join(${m}.SEPARATOR))
  const table = ${m}.parseTable(lines.join('\\n'))
  expect(table).toHaveLength(${rows})
  expect(table[${rows - 1}]).toEqual(['${rows - 1}', 'name${rows - 1}', '${(rows - 1) % 7}', 'x'])
})`,
        }
      },
    ],
  },

  validator: {
    source: (v) => `export const MIN_NAME_LENGTH = ${v.minName}
export const MAX_AGE = ${v.maxAge}

export interface User {
  name: string
  email: string
  age: number
}

export function isEmail(text: string): boolean {
  return /^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$/i.test(text)
}

export function validateUser(user: Partial<User>): string[] {
  const errors: string[] = []
  if (typeof user.name !== 'string' || user.name.length < MIN_NAME_LENGTH) errors.push('name')
  if (typeof user.email !== 'string' || !isEmail(user.email)) errors.push('email')
  if (typeof user.age !== 'number' || user.age < 0 || user.age > MAX_AGE) errors.push('age')
  return errors
}

export function assertValid(user: Partial<User>): User {
  const errors = validateUser(user)
  if (errors.length > 0) throw new TypeError(\`invalid user: \${errors.join(', ')}\`)
  return user as User
}
`,
    params: (r) => ({ minName: r.int(2, 4), maxAge: r.pick([120, 130, 150]) }),
    cases: [
      (r, m) => {
        const emails = [`${r.pick(words)}@example.com`, `${r.pick(words)}.${r.pick(words)}@mail.org`, 'a@b.io']
        return {
          tests: emails.length,
          code: `it.each(${str(emails)})('accepts %s', (email) => {
  expect(${m}.isEmail(email)).toBe(true)
})`,
        }
      },
      (r, m) => {
        const bad = ['plain', `${r.pick(words)}@`, '@host.com', 'a b@c.de', 'x@y.z']
        return {
          tests: bad.length,
          code: `it.each(${str(bad)})('rejects %s', (email) => {
  expect(${m}.isEmail(email)).toBe(false)
})`,
        }
      },
      (r, m) => {
        const name = r.pick(words)
        return {
          tests: 1,
          code: `it('finds no error in a complete user', () => {
  expect(${m}.validateUser({ name: ${str(name)}, email: '${name}@example.com', age: ${r.int(1, 99)} })).toEqual([])
})`,
        }
      },
      (r, m) => ({
        tests: 1,
        code: `it('names every missing field', () => {
  expect(${m}.validateUser({})).toEqual(['name', 'email', 'age'])
  expect(${m}.validateUser({ name: '${r.pick(words)}', age: -1 })).toEqual(['email', 'age'])
})`,
      }),
      (r, m) => ({
        tests: 1,
        code: `it('assertValid throws a TypeError listing the fields', () => {
  expect(() => ${m}.assertValid({ name: 'x', email: 'nope', age: ${r.int(200, 300)} })).toThrow(TypeError)
})`,
      }),
      (r, m) => {
        const n = r.pick([5000, 10000, 10000, 20000])
        return {
          tests: 1,
          workload: true,
          code: `it('validates ${n} generated users', () => {
  const users = Array.from({ length: ${n} }, (_, i) => ({
    name: i % 10 === 0 ? '' : \`user\${i}\`,
    email: \`u\${i}@example.com\`,
    age: i % 200,
  }))
  const invalid = users.filter((u) => ${m}.validateUser(u).length > 0)
  const expected = users.filter((u) => u.name === '' || u.age > ${m}.MAX_AGE).length
  expect(invalid).toHaveLength(expected)
})`,
        }
      },
    ],
  },

  repository: {
    usesBeforeEach: true,
    source: (v) => `export interface Entity {
  id: string
  name: string
  score: number
}

export class InMemoryRepository<T extends { id: string }> {
  private readonly items = new Map<string, T>()

  add(item: T): T {
    if (this.items.has(item.id)) throw new Error(\`duplicate id: \${item.id}\`)
    this.items.set(item.id, item)
    return item
  }

  get(id: string): T | undefined {
    return this.items.get(id)
  }

  update(id: string, patch: Partial<T>): T {
    const current = this.items.get(id)
    if (!current) throw new Error(\`no such id: \${id}\`)
    const next = { ...current, ...patch, id }
    this.items.set(id, next)
    return next
  }

  remove(id: string): boolean {
    return this.items.delete(id)
  }

  find(predicate: (item: T) => boolean): T[] {
    return [...this.items.values()].filter(predicate)
  }

  count(): number {
    return this.items.size
  }
}

export function seedEntities(count: number, prefix = ${str(v.prefix)}): Entity[] {
  return Array.from({ length: count }, (_, i) => ({ id: \`\${prefix}-\${i}\`, name: \`\${prefix} \${i}\`, score: (i * 37) % 100 }))
}
`,
    params: (r) => ({ prefix: r.pick(words) }),
    setup: (r, m) => {
      const n = r.int(5, 50)
      return {
        n,
        code: `let repo: ${m}.InMemoryRepository<${m}.Entity>
beforeEach(() => {
  repo = new ${m}.InMemoryRepository<${m}.Entity>()
  for (const e of ${m}.seedEntities(${n})) repo.add(e)
})`,
      }
    },
    cases: [
      (_r, _m, ctx) => ({
        tests: 1,
        code: `it('holds the ${ctx.n} seeded entities', () => {
  expect(repo.count()).toBe(${ctx.n})
})`,
      }),
      (r, m, ctx) => {
        const i = r.int(0, ctx.n - 1)
        return {
          tests: 1,
          code: `it('gets entity ${i} by id', () => {
  const [expected] = ${m}.seedEntities(${i + 1}).slice(-1)
  expect(repo.get(expected.id)).toEqual(expected)
})`,
        }
      },
      (r, m, ctx) => ({
        tests: 1,
        code: `it('removes an entity once', () => {
  const id = ${m}.seedEntities(${ctx.n})[${r.int(0, ctx.n - 1)}].id
  expect(repo.remove(id)).toBe(true)
  expect(repo.remove(id)).toBe(false)
  expect(repo.count()).toBe(${ctx.n - 1})
})`,
      }),
      (r, m) => ({
        tests: 1,
        code: `it('rejects a duplicate id', () => {
  const [first] = ${m}.seedEntities(1)
  expect(() => repo.add(first)).toThrow(/duplicate id/)
  expect(() => repo.update('missing-${r.int(0, 99)}', { score: 1 })).toThrow(/no such id/)
})`,
      }),
      (r, m) => {
        const score = r.int(0, 99)
        return {
          tests: 1,
          code: `it('updates the score and keeps the id', () => {
  const [first] = ${m}.seedEntities(1)
  expect(repo.update(first.id, { score: ${score} })).toEqual({ ...first, score: ${score} })
})`,
        }
      },
      (_r, _m, ctx) => {
        const expected = Array.from({ length: ctx.n }, (_, i) => (i * 37) % 100).filter((s) => s >= 50).length
        return {
          tests: 1,
          code: `it('finds entities by score', () => {
  expect(repo.find((e) => e.score >= 50)).toHaveLength(${expected})
})`,
        }
      },
      (r, m) => {
        const n = r.pick([5000, 10000, 10000, 15000])
        return {
          tests: 1,
          workload: true,
          code: `it('bulk-inserts ${n} entities', () => {
  const bulk = new ${m}.InMemoryRepository<${m}.Entity>()
  for (const e of ${m}.seedEntities(${n}, 'bulk')) bulk.add(e)
  expect(bulk.count()).toBe(${n})
  expect(bulk.find((e) => e.score === 0).length).toBeGreaterThan(0)
})`,
        }
      },
    ],
  },

  format: {
    source: (v) => `const UNITS = ['B', 'KB', 'MB', 'GB', 'TB']

export function padLeft(text: string, width: number, fill = ${str(v.fill)}): string {
  return text.length >= width ? text : fill.repeat(width - text.length) + text
}

export function titleCase(text: string): string {
  return text
    .split(' ')
    .map((word) => (word ? word[0].toUpperCase() + word.slice(1).toLowerCase() : word))
    .join(' ')
}

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

export function formatBytes(bytes: number, digits = 1): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return \`\${unit === 0 ? value : value.toFixed(digits)} \${UNITS[unit]}\`
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : \`\${text.slice(0, Math.max(0, max - 1))}…\`
}
`,
    params: (r) => ({ fill: r.pick([' ', '0', '.']) }),
    cases: [
      (r, m) => {
        const phrase = r.shuffle(words).slice(0, r.int(2, 4)).join(' ')
        const expected = phrase
          .split(' ')
          .map((w) => w[0].toUpperCase() + w.slice(1))
          .join(' ')
        return {
          tests: 1,
          code: `it('title-cases ${str(phrase).slice(1, -1)}', () => {
  expect(${m}.titleCase(${str(phrase)})).toBe(${str(expected)})
})`,
        }
      },
      (r, m) => {
        const table = [
          [0, '0 B'],
          [512, '512 B'],
          [1536, '1.5 KB'],
          [1048576, '1.0 MB'],
          [r.pick([3, 5, 7]) * 1073741824, null],
        ].map(([b, s]) => [b, s ?? `${(b / 1073741824).toFixed(1)} GB`])
        return {
          tests: table.length,
          code: `it.each(${str(table)})('formatBytes(%i) is %s', (bytes, expected) => {
  expect(${m}.formatBytes(bytes)).toBe(expected)
})`,
        }
      },
      (r, m) => {
        const a = r.pick(words)
        const b = r.pick(words)
        return {
          tests: 1,
          code: `it('slugifies punctuation and spaces', () => {
  expect(${m}.slugify(' ${titleOf(a)}, ${b}!! ')).toBe('${a}-${b}')
})`,
        }
      },
      (r, m) => {
        const w = r.int(6, 12)
        return {
          tests: 1,
          code: `it('pads to width ${w}', () => {
  expect(${m}.padLeft('42', ${w})).toHaveLength(${w})
  expect(${m}.padLeft('toolongvalue', 3)).toBe('toolongvalue')
})`,
        }
      },
      (r, m) => ({
        tests: 1,
        code: `it('truncates with an ellipsis', () => {
  expect(${m}.truncate('${r.pick(words)}${r.pick(words)}', 5)).toHaveLength(5)
  expect(${m}.truncate('ok', 5)).toBe('ok')
})`,
      }),
      (r, m) => {
        const n = r.pick([5000, 10000, 10000, 20000])
        return {
          tests: 1,
          workload: true,
          code: `it('formats a ${n}-row report', () => {
  const rows = Array.from({ length: ${n} }, (_, i) => \`\${${m}.padLeft(String(i), 6)} \${${m}.slugify(\`Item \${i} Name\`)} \${${m}.formatBytes(i * 1000)}\`)
  expect(rows).toHaveLength(${n})
  expect(rows[1]).toContain('item-1-name')
})`,
        }
      },
    ],
  },

  datemath: {
    source: (v) => `export const DAY_MS = 86_400_000
export const WEEK_STARTS_ON = ${v.weekStart}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS)
}

export function diffDays(later: Date, earlier: Date): number {
  return Math.round((later.getTime() - earlier.getTime()) / DAY_MS)
}

export function isWeekend(date: Date): boolean {
  const day = date.getUTCDay()
  return day === 0 || day === 6
}

export function startOfMonth(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1))
}

export function startOfWeek(date: Date): Date {
  const shift = (date.getUTCDay() - WEEK_STARTS_ON + 7) % 7
  const day = addDays(date, -shift)
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()))
}

export function countWeekendDays(from: Date, days: number): number {
  let count = 0
  for (let i = 0; i < days; i++) if (isWeekend(addDays(from, i))) count++
  return count
}
`,
    params: (r) => ({ weekStart: r.pick([0, 1]) }),
    cases: [
      (r, m) => {
        const n = r.int(-400, 400)
        const [y, mo, d] = [r.int(2000, 2030), r.int(0, 11), r.int(1, 28)]
        return {
          tests: 1,
          code: `it('adds ${n} days and measures them back', () => {
  const start = new Date(Date.UTC(${y}, ${mo}, ${d}))
  expect(${m}.diffDays(${m}.addDays(start, ${n}), start)).toBe(${n})
})`,
        }
      },
      (r, m) => {
        const year = r.int(2000, 2030)
        const rows = Array.from({ length: 7 }, (_, i) => {
          const date = new Date(Date.UTC(year, 0, 1 + i))
          return [date.toISOString().slice(0, 10), date.getUTCDay() === 0 || date.getUTCDay() === 6]
        })
        return {
          tests: rows.length,
          code: `it.each(${str(rows)})('isWeekend(%s) is %s', (iso, expected) => {
  expect(${m}.isWeekend(new Date(iso))).toBe(expected)
})`,
        }
      },
      (r, m) => {
        const [y, mo, d] = [r.int(2000, 2030), r.int(0, 11), r.int(2, 28)]
        return {
          tests: 1,
          code: `it('finds the first of the month', () => {
  expect(${m}.startOfMonth(new Date(Date.UTC(${y}, ${mo}, ${d}, 13))).toISOString()).toBe('${new Date(Date.UTC(y, mo, 1)).toISOString()}')
})`,
        }
      },
      (r, m) => {
        const [y, mo, d] = [r.int(2000, 2030), r.int(0, 11), r.int(1, 28)]
        return {
          tests: 1,
          code: `it('puts the start of the week on WEEK_STARTS_ON', () => {
  const start = ${m}.startOfWeek(new Date(Date.UTC(${y}, ${mo}, ${d}, 9)))
  expect(start.getUTCDay()).toBe(${m}.WEEK_STARTS_ON)
  expect(${m}.diffDays(new Date(Date.UTC(${y}, ${mo}, ${d})), start)).toBeLessThan(7)
})`,
        }
      },
      (r, m) => {
        const year = r.int(2000, 2020)
        const years = r.int(10, 30)
        const from = Date.UTC(year, 0, 1)
        const days = Math.round((Date.UTC(year + years, 0, 1) - from) / 86_400_000)
        let weekend = 0
        for (let i = 0; i < days; i++) {
          const day = new Date(from + i * 86_400_000).getUTCDay()
          if (day === 0 || day === 6) weekend++
        }
        return {
          tests: 1,
          workload: true,
          code: `it('counts weekend days over ${years} years', () => {
  expect(${m}.countWeekendDays(new Date(Date.UTC(${year}, 0, 1)), ${days})).toBe(${weekend})
})`,
        }
      },
    ],
  },

  emitter: {
    usesBeforeEach: true,
    source: (v) => `type Listener<T> = (payload: T) => void

export const MAX_LISTENERS = ${v.maxListeners}

export class Emitter<T = unknown> {
  private readonly listeners = new Map<string, Set<Listener<T>>>()

  on(event: string, listener: Listener<T>): () => void {
    let set = this.listeners.get(event)
    if (!set) {
      set = new Set()
      this.listeners.set(event, set)
    }
    if (set.size >= MAX_LISTENERS) throw new Error(\`too many listeners for \${event}\`)
    set.add(listener)
    return () => this.off(event, listener)
  }

  once(event: string, listener: Listener<T>): () => void {
    const off = this.on(event, (payload) => {
      off()
      listener(payload)
    })
    return off
  }

  off(event: string, listener: Listener<T>): void {
    this.listeners.get(event)?.delete(listener)
  }

  emit(event: string, payload: T): number {
    const set = this.listeners.get(event)
    if (!set) return 0
    for (const listener of [...set]) listener(payload)
    return set.size
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.size ?? 0
  }
}
`,
    params: (r) => ({ maxListeners: r.pick([10, 16, 32]) }),
    setup: (_r, m) => ({
      code: `let bus: ${m}.Emitter<number>
let received: number[]
beforeEach(() => {
  bus = new ${m}.Emitter<number>()
  received = []
})`,
    }),
    cases: [
      (r) => {
        const n = r.int(1, 5)
        return {
          tests: 1,
          code: `it('delivers to ${n} listeners', () => {
  for (let i = 0; i < ${n}; i++) bus.on('tick', (v) => received.push(v))
  bus.emit('tick', 7)
  expect(received).toEqual(Array(${n}).fill(7))
})`,
        }
      },
      () => ({
        tests: 1,
        code: `it('calls a once-listener a single time', () => {
  bus.once('tick', (v) => received.push(v))
  bus.emit('tick', 1)
  bus.emit('tick', 2)
  expect(received).toEqual([1])
  expect(bus.listenerCount('tick')).toBe(0)
})`,
      }),
      () => ({
        tests: 1,
        code: `it('stops delivering after off', () => {
  const off = bus.on('tick', (v) => received.push(v))
  bus.emit('tick', 1)
  off()
  bus.emit('tick', 2)
  expect(received).toEqual([1])
})`,
      }),
      (_r, m) => ({
        tests: 1,
        code: `it('refuses more than MAX_LISTENERS listeners', () => {
  for (let i = 0; i < ${m}.MAX_LISTENERS; i++) bus.on('tick', () => {})
  expect(() => bus.on('tick', () => {})).toThrow(/too many listeners/)
})`,
      }),
      (r) => ({
        tests: 1,
        code: `it('returns 0 for an event nobody listens to', () => {
  expect(bus.emit('${r.pick(words)}', 1)).toBe(0)
})`,
      }),
      (r) => {
        const n = r.pick([10000, 20000, 50000])
        return {
          tests: 1,
          workload: true,
          code: `it('sums ${n} emitted values', () => {
  let total = 0
  bus.on('tick', (v) => {
    total += v
  })
  for (let i = 0; i < ${n}; i++) bus.emit('tick', i)
  expect(total).toBe(${(n * (n - 1)) / 2})
})`,
        }
      },
    ],
  },

  async: {
    source: (v) => `export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export async function fetchRecord(id: number): Promise<{ id: number; value: string }> {
  await delay(id % ${v.spread})
  return { id, value: \`record-\${id}\` }
}

export async function retry<T>(operation: () => Promise<T>, attempts: number): Promise<T> {
  let lastError: unknown
  for (let i = 0; i < attempts; i++) {
    try {
      return await operation()
    } catch (error) {
      lastError = error
      await delay(0)
    }
  }
  throw lastError
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(\`timed out after \${ms} ms\`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
`,
    params: (r) => ({ spread: r.pick([2, 3]) }),
    cases: [
      (r, m) => {
        const id = r.int(1, 999)
        return {
          tests: 1,
          code: `it('fetches record ${id}', async () => {
  await expect(${m}.fetchRecord(${id})).resolves.toEqual({ id: ${id}, value: 'record-${id}' })
})`,
        }
      },
      (r, m) => {
        const failures = r.int(1, 3)
        return {
          tests: 1,
          code: `it('retries past ${failures} failures', async () => {
  let calls = 0
  const value = await ${m}.retry(async () => {
    calls++
    if (calls <= ${failures}) throw new Error('flaky')
    return calls
  }, 5)
  expect(value).toBe(${failures + 1})
})`,
        }
      },
      (_r, m) => ({
        tests: 1,
        code: `it('gives up after the last attempt', async () => {
  await expect(${m}.retry(() => Promise.reject(new Error('down')), 2)).rejects.toThrow('down')
})`,
      }),
      (r, m) => {
        const n = r.int(8, 24)
        const limit = r.int(2, 6)
        return {
          tests: 1,
          code: `it('maps ${n} ids with at most ${limit} in flight, keeping order', async () => {
  const ids = Array.from({ length: ${n} }, (_, i) => i)
  const records = await ${m}.mapLimit(ids, ${limit}, ${m}.fetchRecord)
  expect(records.map((r) => r.id)).toEqual(ids)
})`,
        }
      },
      (r, m) => ({
        tests: 1,
        code: `it('times out a slow promise', async () => {
  await expect(${m}.withTimeout(${m}.delay(${r.int(20, 40)}), 2)).rejects.toThrow(/timed out/)
  await expect(${m}.withTimeout(Promise.resolve(1), 5)).resolves.toBe(1)
})`,
      }),
    ],
  },

  collections: {
    source: (v) => `export function range(count: number, start = 0): number[] {
  return Array.from({ length: count }, (_, i) => start + i)
}

export function chunk<T>(items: T[], size: number = ${v.chunk}): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function sum(values: number[]): number {
  let total = 0
  for (const v of values) total += v
  return total
}

export function groupBy<T, K extends string | number>(items: T[], key: (item: T) => K): Record<K, T[]> {
  const out = {} as Record<K, T[]>
  for (const item of items) {
    const k = key(item)
    if (!out[k]) out[k] = []
    out[k].push(item)
  }
  return out
}

export function uniq<T>(items: T[]): T[] {
  return [...new Set(items)]
}

export function sortBy<T>(items: T[], key: (item: T) => number): T[] {
  return [...items].sort((a, b) => key(a) - key(b))
}
`,
    params: (r) => ({ chunk: r.pick([3, 4, 8, 16]) }),
    cases: [
      (r, m) => {
        const n = r.int(10, 100)
        const size = r.int(2, 9)
        return {
          tests: 1,
          code: `it('chunks ${n} items by ${size}', () => {
  const chunks = ${m}.chunk(${m}.range(${n}), ${size})
  expect(chunks).toHaveLength(${Math.ceil(n / size)})
  expect(chunks.flat()).toEqual(${m}.range(${n}))
})`,
        }
      },
      (r, m) => {
        const rows = Array.from({ length: r.int(3, 5) }, () => {
          const n = r.int(1, 500)
          return [n, (n * (n - 1)) / 2]
        })
        return {
          tests: rows.length,
          code: `it.each(${str(rows)})('sum(range(%i)) is %i', (n, expected) => {
  expect(${m}.sum(${m}.range(n))).toBe(expected)
})`,
        }
      },
      (r, m) => {
        const mod = r.int(2, 5)
        return {
          tests: 1,
          code: `it('groups by remainder ${mod}', () => {
  const groups = ${m}.groupBy(${m}.range(20), (n) => n % ${mod})
  expect(Object.keys(groups)).toHaveLength(${mod})
  expect(groups[0]).toEqual(${m}.range(20).filter((n) => n % ${mod} === 0))
})`,
        }
      },
      (r, m) => {
        const list = Array.from({ length: 12 }, () => r.pick(words.slice(0, 6)))
        return {
          tests: 1,
          code: `it('drops duplicates in first-seen order', () => {
  expect(${m}.uniq(${str(list)})).toEqual(${str([...new Set(list)])})
})`,
        }
      },
      (r, m) => {
        const n = r.pick([10000, 10000, 20000, 50000])
        return {
          tests: 1,
          workload: true,
          code: `it('sorts ${n} records', () => {
  const records = ${m}.range(${n}).map((i) => ({ i, key: (i * 7919) % ${n} }))
  const sorted = ${m}.sortBy(records, (r) => r.key)
  expect(sorted[0].key).toBe(0)
  expect(sorted[${n - 1}].key).toBe(${n - 1})
})`,
        }
      },
    ],
  },
}

function titleOf(word) {
  return word[0].toUpperCase() + word.slice(1)
}

const kindNames = Object.keys(kinds)

function moduleName(index) {
  return `${kindNames[index % kindNames.length]}-${Math.floor(index / kindNames.length) + 1}`
}

// One `describe` per imported module; its cases are drawn from that module's kind, sometimes split
// into a nested `describe`. Returns the file's source and the number of tests it declares.
function generateTestFile(r, fileIndex, modules) {
  const budget = r.int(3, 25)
  const perModule = modules.map(() => 0)
  for (let i = 0; i < budget; i++) perModule[i % modules.length]++

  const imports = new Set(['describe', 'expect', 'it'])
  const lines = []
  const blocks = []
  let total = 0
  modules.forEach((moduleIndex, k) => {
    const name = moduleName(moduleIndex)
    const kind = kinds[kindNames[moduleIndex % kindNames.length]]
    const alias = `${kindNames[moduleIndex % kindNames.length]}${Math.floor(moduleIndex / kindNames.length) + 1}`
    lines.push(`import * as ${alias} from '../src/${name}'`)
    const ctx = kind.setup ? kind.setup(r, alias) : null
    if (ctx) imports.add('beforeEach')

    const cases = []
    let declared = 0
    let workloads = 0
    while (declared < perModule[k]) {
      const make = r.pick(kind.cases)
      const result = make(r, alias, ctx ?? {})
      // Two workload tests per module at most: tens of ms per file, not seconds.
      if (result.workload && workloads >= 2) continue
      if (result.workload) workloads++
      cases.push(result)
      declared += result.tests
    }
    total += declared

    const titles = new Map()
    const uniqueTitle = (code) =>
      code.replace(/^(it(?:\.each\([\s\S]*?\))?\()'([^']*)'/, (all, head, title) => {
        const seen = titles.get(title) ?? 0
        titles.set(title, seen + 1)
        return seen === 0 ? all : `${head}'${title} (${seen + 1})'`
      })
    const body = cases.map((c) => uniqueTitle(c.code))
    const nested = body.length >= 4 && r.chance(0.5)
    const split = nested ? Math.ceil(body.length / 2) : body.length
    const indent = (text, n) =>
      text
        .split('\n')
        .map((l) => (l ? ' '.repeat(n) + l : l))
        .join('\n')
    let block = `describe('${name}', () => {\n`
    if (ctx) {
      // Keep the linter quiet: drop setup variables that none of the chosen cases reads.
      const used = (line) => !/\breceived\b/.test(line) || body.some((c) => /\breceived\b/.test(c))
      const setup = ctx.code.split('\n').filter(used).join('\n')
      block += `${indent(setup, 2)}\n\n`
    }
    block += body
      .slice(0, split)
      .map((c) => indent(c, 2))
      .join('\n\n')
    if (nested) {
      block += `\n\n  describe('${r.pick(['edge cases', 'more cases', 'regressions', 'with larger inputs'])}', () => {\n`
      block += body
        .slice(split)
        .map((c) => indent(c, 4))
        .join('\n\n')
      block += '\n  })'
    }
    block += '\n})'
    blocks.push(block)
  })

  const header = `// Generated by bench/overhead/generate.mjs (file ${fileIndex}); do not edit.\nimport { ${[...imports].sort().join(', ')} } from 'vitest'\n`
  return { source: `${header}${lines.join('\n')}\n\n${blocks.join('\n\n')}\n`, tests: total }
}

const configs = {
  'vitest.plain.config.mjs': `// Baseline: the generated suite under plain Vitest.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: { include: ['test/**/*.test.ts'], cache: false },
})
`,
  'vitest.qtests.config.mjs': `// The same suite with the plugin's leak probes at their default (measure mode). Worker scaling is off:
// it changes how many workers run, which this benchmark must hold equal (bench/workers measures it).
// BENCH_CONFIRM_BUDGET (run.mjs --confirm-budget): leaks.confirmBudget; 0 confirms nothing, as a first run in CI.
import { qtests } from '@qtests/vitest'
import { defineConfig } from 'vitest/config'

const confirmBudget = process.env.BENCH_CONFIRM_BUDGET
export default defineConfig({
  plugins: [qtests({ workers: { adaptive: false }, ...(confirmBudget ? { leaks: { confirmBudget: Number(confirmBudget) } } : {}) })],
  test: { include: ['test/**/*.test.ts'], cache: false },
})
`,
  'vitest.hunt.config.mjs': `// Hunt mode with a known iteration count, for the per-iteration cost.
import { qtests } from '@qtests/vitest'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [qtests({ leaks: { mode: 'hunt', iterations: ${huntIterations} }, workers: { adaptive: false } })],
  test: { include: ['test/**/*.test.ts'], cache: false },
})
`,
}

/**
 * Writes the three Vitest configs. run.mjs calls this before every benchmark too: the configs decide what is
 * measured (worker scaling off, for one), and a hand-edited copy in an otherwise current suite once
 * turned worker scaling back on unnoticed.
 */
export function writeConfigs(outDir = defaultOutDir) {
  for (const [name, text] of Object.entries(configs)) writeFileSync(join(outDir, name), text)
}

/** Writes the suite and returns its manifest (also written as manifest.json). */
export function generate({ files = 200, seed = 1, outDir = defaultOutDir } = {}) {
  const r = createRandom(seed)
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(join(outDir, 'src'), { recursive: true })
  mkdirSync(join(outDir, 'test'), { recursive: true })

  for (let i = 0; i < moduleCount; i++) {
    const kind = kinds[kindNames[i % kindNames.length]]
    writeFileSync(join(outDir, 'src', `${moduleName(i)}.ts`), kind.source(kind.params(r)))
  }

  const testFiles = []
  for (let f = 0; f < files; f++) {
    const modules = r.shuffle(Array.from({ length: moduleCount }, (_, i) => i)).slice(0, r.int(1, 3))
    const { source, tests } = generateTestFile(r, f, modules)
    const file = `test/${String(f).padStart(3, '0')}-${moduleName(modules[0])}.test.ts`
    writeFileSync(join(outDir, file), source)
    testFiles.push({ file, tests })
  }

  writeConfigs(outDir)
  // Lint and git both skip the generated suite.
  writeFileSync(join(outDir, '.gitignore'), '*\n')

  const manifest = {
    generatorVersion,
    seed,
    files,
    modules: moduleCount,
    tests: testFiles.reduce((n, f) => n + f.tests, 0),
    huntIterations,
    testFiles,
  }
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  return manifest
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`)
    return i > 0 ? process.argv[i + 1] : fallback
  }
  const manifest = generate({
    files: Number(arg('files', 200)),
    seed: Number(arg('seed', 1)),
    outDir: arg('out', defaultOutDir),
  })
  console.log(`generated ${manifest.files} test files, ${manifest.tests} tests, ${manifest.modules} modules`)
}

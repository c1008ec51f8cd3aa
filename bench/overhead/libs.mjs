// Generates the overhead benchmark's second suite, `libs`: unit tests over a small application that
// builds on real npm libraries, as most projects' unit suites do: zod (schemas, parsing), date-fns
// (billing periods, due dates, calendars) and lodash-es (reports, slugs). Where the default suite's files
// import a few tiny local modules, these load hundreds of modules from node_modules (lodash-es and
// date-fns are one ES module per function) in every isolated file, so the plugin's per-file work meets
// a real module graph. Deterministic: the same file count gives the same files. `run.mjs --suite libs`
// generates it when it is missing or stale.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as dateFns from 'date-fns'
import * as lodash from 'lodash-es'
import { z } from 'zod'
// The generated-library evaluator the worker benchmark's suites use (rolldown resolves from bench/workers).
import { evaluateLibrary } from '../workers/library.mjs'
import { writeConfigs } from './generate.mjs'

const benchDir = dirname(fileURLToPath(import.meta.url))
export const libsOutDir = join(benchDir, '.generated', 'libs')
// Bump when the generated output changes, so run.mjs regenerates a stale suite.
export const libsGeneratorVersion = 1

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
]

// The application under test. Dates are built and formatted in local time and only whole days are
// compared, so the expected values hold in every time zone.
const sources = {
  'src/schemas/customer.ts': `import { z } from 'zod'

export const Tier = z.enum(['free', 'team', 'enterprise'])

export const Customer = z.object({
  id: z.string().regex(/^cus_[a-z0-9]{6}$/),
  email: z.email(),
  name: z.string().trim().min(2).max(60),
  tier: Tier.default('free'),
  seats: z.number().int().positive().max(10_000),
  tags: z.array(z.string().min(1)).max(8).default([]),
})
export type Customer = z.infer<typeof Customer>

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: string[] }

/** A summary of zod's verdict: the value, or each issue as "path: code". */
export function parseCustomer(input: unknown): Parsed<Customer> {
  const result = Customer.safeParse(input)
  if (result.success) return { ok: true, value: result.data }
  return { ok: false, issues: result.error.issues.map((issue) => \`\${issue.path.join('.') || '(root)'}: \${issue.code}\`) }
}

export function parseCustomers(inputs: readonly unknown[]): { valid: number; invalid: number; tiers: Record<string, number> } {
  const tiers: Record<string, number> = {}
  let valid = 0
  for (const input of inputs) {
    const parsed = Customer.safeParse(input)
    if (!parsed.success) continue
    valid++
    tiers[parsed.data.tier] = (tiers[parsed.data.tier] ?? 0) + 1
  }
  return { valid, invalid: inputs.length - valid, tiers }
}
`,
  'src/schemas/order.ts': `import { z } from 'zod'

export const LineItem = z.object({
  sku: z.string().regex(/^[A-Z]{3}-\\d{4}$/),
  quantity: z.number().int().min(1).max(999),
  unitCents: z.number().int().nonnegative(),
})

export const Order = z
  .object({
    id: z.string().startsWith('ord_'),
    customerId: z.string(),
    items: z.array(LineItem).min(1),
    discountPercent: z.number().min(0).max(50).optional(),
    currency: z.enum(['EUR', 'USD', 'GBP']),
  })
  .refine((order) => new Set(order.items.map((item) => item.sku)).size === order.items.length, { message: 'duplicate sku', path: ['items'] })
export type Order = z.infer<typeof Order>

export function orderTotalCents(order: Order): number {
  const gross = order.items.reduce((sum, item) => sum + item.quantity * item.unitCents, 0)
  return Math.round(gross * (1 - (order.discountPercent ?? 0) / 100))
}

export function validateOrder(input: unknown): { ok: boolean; totalCents: number | null; issues: string[] } {
  const result = Order.safeParse(input)
  if (!result.success) return { ok: false, totalCents: null, issues: result.error.issues.map((issue) => \`\${issue.path.join('.')}: \${issue.message}\`) }
  return { ok: true, totalCents: orderTotalCents(result.data), issues: [] }
}
`,
  'src/schemas/address.ts': `import { z } from 'zod'

export const Address = z.discriminatedUnion('country', [
  z.object({ country: z.literal('DE'), postalCode: z.string().regex(/^\\d{5}$/), city: z.string().min(1) }),
  z.object({ country: z.literal('GB'), postalCode: z.string().regex(/^[A-Z]{1,2}\\d[A-Z\\d]? \\d[A-Z]{2}$/), city: z.string().min(1) }),
  z.object({ country: z.literal('US'), postalCode: z.string().regex(/^\\d{5}(-\\d{4})?$/), city: z.string().min(1), state: z.string().length(2) }),
])
export type Address = z.infer<typeof Address>

export function formatAddress(input: unknown): string {
  const result = Address.safeParse(input)
  if (!result.success) return \`invalid: \${result.error.issues.map((issue) => issue.path.join('.')).join(', ')}\`
  const address = result.data
  return address.country === 'US' ? \`\${address.city}, \${address.state} \${address.postalCode}\` : \`\${address.postalCode} \${address.city} (\${address.country})\`
}
`,
  'src/billing/periods.ts': `import { addBusinessDays, addMonths, differenceInCalendarDays, format, isAfter, subDays } from 'date-fns'

export interface Period {
  start: Date
  end: Date
}

/** count consecutive billing periods of months each, from start. */
export function billingPeriods(start: Date, count: number, months: number): Period[] {
  const periods: Period[] = []
  for (let i = 0; i < count; i++) {
    const periodStart = addMonths(start, i * months)
    periods.push({ start: periodStart, end: subDays(addMonths(periodStart, months), 1) })
  }
  return periods
}

export function formatPeriod(period: Period): string {
  return \`\${format(period.start, 'yyyy-MM-dd')} – \${format(period.end, 'yyyy-MM-dd')}\`
}

export function dueDate(issued: Date, termBusinessDays: number): string {
  return format(addBusinessDays(issued, termBusinessDays), 'EEE d MMM yyyy')
}

export function daysLate(due: Date, paid: Date): number {
  return isAfter(paid, due) ? differenceInCalendarDays(paid, due) : 0
}
`,
  'src/billing/calendar.ts': `import { eachDayOfInterval, endOfMonth, endOfWeek, format, getISOWeek, getQuarter, isWeekend, startOfMonth, startOfWeek } from 'date-fns'

/** The weeks of a month as a calendar page shows them (Monday first), each day as its day of month. */
export function monthGrid(year: number, month: number): number[][] {
  const first = new Date(year, month - 1, 1)
  const days = eachDayOfInterval({ start: startOfWeek(first, { weekStartsOn: 1 }), end: endOfWeek(endOfMonth(first), { weekStartsOn: 1 }) })
  const weeks: number[][] = []
  for (let i = 0; i < days.length; i += 7) weeks.push(days.slice(i, i + 7).map((day) => day.getDate()))
  return weeks
}

export function workingDays(year: number, month: number): number {
  const first = new Date(year, month - 1, 1)
  return eachDayOfInterval({ start: startOfMonth(first), end: endOfMonth(first) }).filter((day) => !isWeekend(day)).length
}

export function describeDay(year: number, month: number, day: number): string {
  const date = new Date(year, month - 1, day)
  return \`\${format(date, 'EEEE')}, week \${getISOWeek(date)}, Q\${getQuarter(date)}\`
}
`,
  'src/reports/rows.ts': `export interface Sale {
  id: number
  region: string
  product: string
  cents: number
  day: number
}

const regions = ['north', 'south', 'east', 'west']
const products = ['anvil', 'bolt', 'crate', 'drill', 'easel', 'flask', 'gauge']

/** count sales from a linear congruential generator: the same rows for the same seed. */
export function makeSales(seed: number, count: number): Sale[] {
  let state = seed >>> 0
  const next = (modulo: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    // The high bits: an LCG's low bits repeat with a short period.
    return (state >>> 8) % modulo
  }
  return Array.from({ length: count }, (_, id) => ({ id, region: regions[next(4)]!, product: products[next(7)]!, cents: 100 + next(50_000), day: 1 + next(28) }))
}
`,
  'src/reports/sales.ts': `import { chunk, countBy, groupBy, mapValues, orderBy, sumBy, take, uniqBy } from 'lodash-es'
import type { Sale } from './rows'

export function revenueByRegion(sales: readonly Sale[]): Record<string, number> {
  return mapValues(groupBy(sales, 'region'), (rows) => sumBy(rows, 'cents'))
}

export function topProducts(sales: readonly Sale[], count: number): Array<{ product: string; cents: number }> {
  const totals = Object.entries(mapValues(groupBy(sales, 'product'), (rows) => sumBy(rows, 'cents'))).map(([product, cents]) => ({ product, cents }))
  return take(orderBy(totals, ['cents', 'product'], ['desc', 'asc']), count)
}

export function pages(sales: readonly Sale[], size: number): number[] {
  return chunk(sales, size).map((page) => sumBy(page, 'cents'))
}

export function activeDays(sales: readonly Sale[]): number {
  return uniqBy(sales, 'day').length
}

export function salesPerProduct(sales: readonly Sale[]): Record<string, number> {
  return countBy(sales, 'product')
}
`,
  'src/text/slugs.ts': `import { camelCase, deburr, kebabCase, truncate, uniq } from 'lodash-es'

export function slug(title: string): string {
  return kebabCase(deburr(title))
}

/** Slugs for titles, with -2, -3 … appended to repeats. */
export function uniqueSlugs(titles: readonly string[]): string[] {
  const seen = new Map<string, number>()
  return titles.map((title) => {
    const base = slug(title)
    const count = (seen.get(base) ?? 0) + 1
    seen.set(base, count)
    return count === 1 ? base : \`\${base}-\${count}\`
  })
}

export function fieldNames(labels: readonly string[]): string[] {
  return uniq(labels.map((label) => camelCase(label)))
}

export function teaser(text: string, length: number): string {
  return truncate(text, { length, separator: ' ' })
}
`,
  'src/checkout/quote.ts': `import { addBusinessDays, format } from 'date-fns'
import { groupBy, sumBy } from 'lodash-es'
import { z } from 'zod'

const Cart = z.object({
  lines: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive(), unitCents: z.number().int().nonnegative(), warehouse: z.enum(['berlin', 'leeds', 'austin']) })).min(1),
  express: z.boolean().default(false),
})

/** Validates a cart and quotes it: total, one shipment per warehouse, and when the last one arrives. */
export function quote(input: unknown, ordered: Date): { ok: false; issues: number } | { ok: true; totalCents: number; shipments: number; arrives: string } {
  const result = Cart.safeParse(input)
  if (!result.success) return { ok: false, issues: result.error.issues.length }
  const cart = result.data
  const shipments = Object.keys(groupBy(cart.lines, 'warehouse')).length
  const days = (cart.express ? 1 : 3) + (shipments > 1 ? 2 : 0)
  return { ok: true, totalCents: sumBy(cart.lines, (line) => line.quantity * line.unitCents), shipments, arrives: format(addBusinessDays(ordered, days), 'yyyy-MM-dd') }
}
`,
}

// What each library exports that test files import directly (the rest they reach through src/).
const libraryImports = {
  zod: ['z'],
  'date-fns': [
    'addDays',
    'addMonths',
    'differenceInCalendarDays',
    'eachDayOfInterval',
    'format',
    'isWeekend',
    'parseISO',
    'startOfMonth',
  ],
  'lodash-es': ['chunk', 'groupBy', 'orderBy', 'partition', 'range', 'sumBy', 'zip'],
}

const day = (i, k = 0) => `new Date(${2023 + ((i + k) % 3)}, ${(i * 5 + k) % 12}, ${1 + ((i * 7 + k * 3) % 28)})`
const customer = (i, k) => ({
  id: k % 4 === 3 ? `cus_${k}` : `cus_${String(100000 + i * 31 + k).slice(-6)}`,
  email: k % 5 === 4 ? `${words[k % words.length]}-at-example.org` : `${words[(i + k) % words.length]}@example.org`,
  name: k % 6 === 5 ? 'x' : `${words[(i + 2 * k) % words.length]} ${words[(i + k + 3) % words.length]}`,
  tier: ['free', 'team', 'enterprise', undefined][(i + k) % 4],
  seats: 1 + ((i * 13 + k * 7) % 400),
  tags: k % 3 === 0 ? [words[k % words.length]] : undefined,
})
const order = (i, k) => ({
  id: `ord_${i}_${k}`,
  customerId: `cus_${i}`,
  items: Array.from({ length: 1 + ((i + k) % 4) }, (_, j) => ({
    sku: `${['ABC', 'DEF', 'GHI'][j % 3]}-${String(1000 + ((i * 17 + j * (k + 1)) % 9000))}`,
    quantity: 1 + ((i + j) % 12),
    unitCents: 99 + ((i * 37 + j * 101) % 20_000),
  })),
  ...(k % 2 === 0 ? { discountPercent: (i + k) % 30 } : {}),
  currency: ['EUR', 'USD', 'GBP'][(i + k) % 3],
})

/** The test cases of one kind of file: { title, expression } pairs, or `each` tables. */
const fileKinds = [
  // schemas: customers and orders through zod
  (i) => [
    { title: 'accepts a well-formed customer', expression: `parseCustomer(${str(customer(i, 0))})` },
    {
      title: 'names every issue of a malformed customer',
      expression: `parseCustomer(${str({ ...customer(i, 3), email: 'nobody', seats: -1 })})`,
    },
    {
      title: `counts tiers over ${40 + (i % 30)} customers`,
      expression: `parseCustomers(${str(Array.from({ length: 40 + (i % 30) }, (_, k) => customer(i, k)))})`,
    },
    { title: 'totals an order with its discount', expression: `validateOrder(${str(order(i, 0))})` },
    {
      title: 'rejects an order with a repeated sku',
      expression: `validateOrder(${str({ ...order(i, 1), items: [order(i, 1).items[0], order(i, 1).items[0]] })})`,
    },
    {
      title: 'parses a schema declared in the test',
      expression: `z.object({ at: z.iso.date(), count: z.coerce.number().int() }).safeParse({ at: '2024-0${1 + (i % 9)}-1${i % 10}', count: '${i}' }).success`,
    },
  ],
  // billing: periods and due dates through date-fns
  (i) => [
    { title: 'lists quarterly billing periods', expression: `billingPeriods(${day(i)}, 4, 3).map(formatPeriod)` },
    {
      title: 'lists monthly periods from the 31st',
      expression: `billingPeriods(new Date(2024, 0, 31), ${3 + (i % 5)}, 1).map(formatPeriod)`,
    },
    {
      title: 'puts the due date on a business day',
      expression: `[${[5, 10, 30].map((term) => `dueDate(${day(i, term)}, ${term})`).join(', ')}]`,
    },
    {
      title: 'counts the days a payment was late',
      expression: `[daysLate(${day(i)}, addDays(${day(i)}, ${i % 40})), daysLate(${day(i)}, ${day(i, -1)})]`,
    },
    {
      title: 'formats ISO dates for the ledger',
      expression: `format(parseISO('202${i % 5}-0${1 + (i % 9)}-1${i % 10}'), 'do MMMM yyyy')`,
    },
  ],
  // calendars through date-fns
  (i) => [
    { title: 'draws a month grid', expression: `monthGrid(${2020 + (i % 8)}, ${1 + (i % 12)})` },
    {
      title: 'counts working days in each month of a year',
      expression: `range(1, 13).map((month) => workingDays(${2020 + (i % 8)}, month))`,
    },
    {
      title: 'describes a day',
      expression: `describeDay(${2020 + (i % 8)}, ${1 + ((i * 7) % 12)}, ${1 + ((i * 11) % 28)})`,
    },
    {
      title: 'counts weekend days in a span',
      expression: `eachDayOfInterval({ start: ${day(i)}, end: addDays(${day(i)}, ${20 + (i % 60)}) }).filter(isWeekend).length`,
    },
    {
      title: 'measures a span in days',
      expression: `differenceInCalendarDays(addMonths(${day(i)}, ${1 + (i % 18)}), startOfMonth(${day(i)}))`,
    },
  ],
  // reports through lodash-es
  (i) => [
    {
      title: `totals revenue by region over ${500 + i * 10} sales`,
      expression: `revenueByRegion(makeSales(${i + 1}, ${500 + i * 10}))`,
    },
    { title: 'ranks the top three products', expression: `topProducts(makeSales(${i + 7}, 800), 3)` },
    { title: 'pages sales by 50', expression: `pages(makeSales(${i + 3}, 400), 50)` },
    {
      title: 'counts active days and sales per product',
      expression: `[activeDays(makeSales(${i}, 300)), salesPerProduct(makeSales(${i}, 300))]`,
    },
    {
      title: 'splits large sales from small ones',
      expression: `partition(makeSales(${i + 11}, 200), (sale) => sale.cents > 25000).map((rows) => sumBy(rows, 'cents'))`,
    },
    {
      title: 'groups a zipped table',
      expression: `Object.keys(groupBy(zip(range(${10 + (i % 20)}), range(${10 + (i % 20)}).map((n) => n % 4)), ([, bucket]) => bucket))`,
    },
  ],
  // text, addresses and checkout: all three libraries
  (i) => [
    {
      title: 'makes unique slugs',
      expression: `uniqueSlugs(${str([`Crème Brûlée ${i}`, `${words[i % words.length]} & Co`, `Crème Brûlée ${i}`, 'Ünïcode Ärger'])})`,
    },
    {
      title: 'names form fields',
      expression: `fieldNames(${str(['First name', 'last-name', 'First Name', `zip code ${i}`])})`,
    },
    { title: 'shortens a teaser at a word', expression: `teaser(${str(words.join(' '))}, ${20 + (i % 40)})` },
    {
      title: 'formats an address per country',
      expression: `[${str({ country: 'DE', postalCode: String(10000 + i * 7), city: 'Berlin' })}, ${str({ country: 'GB', postalCode: 'SW1A 1AA', city: 'London' })}, ${str({ country: 'US', postalCode: '9021', city: 'Beverly Hills', state: 'CA' })}].map(formatAddress)`,
    },
    {
      title: 'quotes a cart shipped from several warehouses',
      expression: `quote(${str({ lines: Array.from({ length: 2 + (i % 4) }, (_, k) => ({ sku: `S${k}`, quantity: 1 + k, unitCents: 250 * (k + 1), warehouse: ['berlin', 'leeds', 'austin'][(i + k) % 3] })), express: i % 2 === 0 })}, ${day(i)})`,
    },
    { title: 'refuses an empty cart', expression: `quote({ lines: [] }, ${day(i)})` },
  ],
]

/** The names of `scope` an expression uses, by where the test file imports them from. */
function importsFor(expressions, importedFrom) {
  const byModule = new Map()
  for (const expression of expressions) {
    for (const [name] of expression.matchAll(/\b[A-Za-z_]\w*\b/g)) {
      const from = importedFrom.get(name)
      if (!from) continue
      if (!byModule.has(from)) byModule.set(from, new Set())
      byModule.get(from).add(name)
    }
  }
  return [...byModule]
    .sort(([a], [b]) => (a.startsWith('.') === b.startsWith('.') ? (a < b ? -1 : 1) : a.startsWith('.') ? 1 : -1))
    .map(([from, names]) => `import { ${[...names].sort().join(', ')} } from '${from}'`)
}

/** Writes the libs suite and returns its manifest (also written as manifest.json). */
export async function generateLibs({ files = 100, outDir = libsOutDir } = {}) {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(join(outDir, 'test'), { recursive: true })
  for (const [path, text] of Object.entries(sources)) {
    mkdirSync(dirname(join(outDir, path)), { recursive: true })
    writeFileSync(join(outDir, path), text)
  }
  // Where a test file imports each name from: src/ modules by their exports, then the libraries.
  const importedFrom = new Map()
  for (const [path, text] of Object.entries(sources)) {
    for (const [, name] of text.matchAll(/^export (?:const|function) (\w+)/gm))
      importedFrom.set(name, `../${path.replace(/\.ts$/, '')}`)
  }
  for (const [library, names] of Object.entries(libraryImports))
    for (const name of names) importedFrom.set(name, library)
  // The expected values: the application and the libraries themselves, run here.
  const entry = Object.keys(sources)
    .map((path) => `export * from './${path.replace(/\.ts$/, '')}'`)
    .join('\n')
  const externals = { zod: { z }, 'date-fns': dateFns, 'lodash-es': lodash }
  // Only the names test files import: an expression using anything else fails here, not in the suite.
  const globals = Object.fromEntries(
    Object.entries(libraryImports).flatMap(([library, names]) => names.map((name) => [name, externals[library][name]])),
  )
  const { evaluate } = await evaluateLibrary(
    { ...sources, 'entry.ts': entry },
    { input: 'entry.ts', externals, globals },
  )
  const testFiles = []
  for (let f = 0; f < files; f++) {
    const cases = fileKinds[f % fileKinds.length](f)
    const imports = importsFor(
      cases.map((c) => c.expression),
      importedFrom,
    )
    const body = cases.map(
      ({ title, expression }) =>
        `  it(${str(title)}, () => {\n    expect(${expression}).toEqual(${str(evaluate(expression))})\n  })`,
    )
    const source = `// Generated by bench/overhead/libs.mjs (file ${f}); do not edit.\nimport { describe, expect, it } from 'vitest'\n${imports.join('\n')}\n\ndescribe(${str(`${['schemas', 'billing', 'calendar', 'reports', 'checkout'][f % fileKinds.length]} ${f}`)}, () => {\n${body.join('\n\n')}\n})\n`
    const file = `test/${String(f).padStart(3, '0')}.test.ts`
    writeFileSync(join(outDir, file), source)
    testFiles.push({ file, tests: cases.length })
  }
  writeConfigs(outDir)
  writeFileSync(join(outDir, '.gitignore'), '*\n')
  const manifest = {
    generatorVersion: libsGeneratorVersion,
    suite: 'libs',
    files,
    tests: testFiles.reduce((n, f) => n + f.tests, 0),
    testFiles,
  }
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  return manifest
}

import { describe, expect, it } from 'vitest'
import { generateOrders, renderCsv, summarizeOrders } from '../src/reports.js'

// Heavy but transient: every test builds tens of thousands of objects or megabytes of
// Buffer and drops them when it returns.
describe('reports', () => {
  it('is deterministic for a given seed', () => {
    expect(generateOrders(1000, 7)).toEqual(generateOrders(1000, 7))
  })

  it('summarizes 50k orders', () => {
    const orders = generateOrders(50_000, 1)
    const summary = summarizeOrders(orders)
    expect(summary.count).toBe(50_000)
    expect(summary.topCustomers).toHaveLength(10)
  })

  it('renders a CSV line per order plus a header', () => {
    const csv = renderCsv(generateOrders(30_000, 2))
    expect(csv.length).toBeGreaterThan(1024 * 1024)
    expect(csv.toString('utf8').trimEnd().split('\n')).toHaveLength(30_001)
  })

  it.each([
    [1, 'o1,'],
    [2, 'o1,'],
    [3, 'o1,'],
  ])('starts the CSV of seed %i with the header and the first order', (seed, firstLineStart) => {
    const [header, first] = renderCsv(generateOrders(10_000, seed)).toString('utf8').split('\n')
    expect(header).toBe('id,customerId,totalCents,createdAt')
    expect(first!.startsWith(firstLineStart)).toBe(true)
  })

  it('sorts ties in the top list by customer id', () => {
    const orders = [
      { id: 'a', customerId: 'c2', totalCents: 100, createdAtMs: 0 },
      { id: 'b', customerId: 'c1', totalCents: 100, createdAtMs: 0 },
    ]
    expect(summarizeOrders(orders).topCustomers.map((c) => c.customerId)).toEqual(['c1', 'c2'])
  })

  it('builds and drops a 16 MB scratch buffer', () => {
    const scratch = Buffer.alloc(16 * 1024 * 1024)
    scratch.fill(7)
    expect(scratch.readUInt8(scratch.length - 1)).toBe(7)
  })
})

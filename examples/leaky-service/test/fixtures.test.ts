import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Order, generateOrders, summarizeOrders } from '../src/reports.js'

// A large fixture loaded once for the file and released afterwards: the heap is high
// while this file runs, and that is not a leak.
let orders: Order[] = []
let archive: Buffer = Buffer.alloc(0)

beforeAll(() => {
  orders = generateOrders(50_000, 42)
  archive = Buffer.alloc(8 * 1024 * 1024, 1)
})

afterAll(() => {
  orders = []
  archive = Buffer.alloc(0)
})

describe('order fixtures', () => {
  it('has every order', () => {
    expect(orders).toHaveLength(50_000)
  })

  it('gives each order a unique id', () => {
    expect(new Set(orders.map((order) => order.id)).size).toBe(orders.length)
  })

  it('keeps totals between 1 and 501 dollars', () => {
    expect(orders.every((order) => order.totalCents >= 100 && order.totalCents < 50_100)).toBe(true)
  })

  it('summarizes revenue as the sum of all totals', () => {
    const expected = orders.reduce((sum, order) => sum + order.totalCents, 0)
    expect(summarizeOrders(orders).revenueCents).toBe(expected)
  })

  it.each([1, 3, 10])('lists the top %i customers in descending order', (top) => {
    const { topCustomers } = summarizeOrders(orders, top)
    expect(topCustomers).toHaveLength(top)
    for (let i = 1; i < topCustomers.length; i++) {
      expect(topCustomers[i - 1]!.totalCents).toBeGreaterThanOrEqual(topCustomers[i]!.totalCents)
    }
  })

  it('keeps the archive in memory for the whole file', () => {
    expect(archive.length).toBe(8 * 1024 * 1024)
  })
})

import { describe, expect, it } from 'vitest'
import { describeOrder } from '../src/order-notes.js'

// Tests that print a line or an object once: Vitest captures console output per test, but nothing
// of it stays once the test is over. Not a leak.
const orders = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, items: i + 2 }))

describe('console-output', () => {
  it('logs an order summary', () => {
    console.log(describeOrder({ id: 100, items: 3 }))
    expect(describeOrder({ id: 1, items: 1 })).toMatch(/order 1/)
  })

  it('warns about an empty order', () => {
    console.warn('order without items:', { id: 0, items: 0, note: 'x'.padEnd(200, 'y') })
  })

  it.each(orders)('debugs order $id', (order) => {
    console.debug(describeOrder(order), order)
    expect(describeOrder(order)).toContain(String(order.id))
  })
})

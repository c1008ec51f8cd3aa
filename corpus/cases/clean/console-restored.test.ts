import { afterEach, describe, expect, it } from 'vitest'
import { describeOrder } from '../src/order-notes.js'

// A file that saves console.warn when it is collected and puts it back after each test (one test mutes it): its
// warnings go through the console method it saved. Each prints an Error and an order once; nothing of it stays.
// (With an inspector session connected, Node also hands such calls to V8, which keeps the last 1000 messages.)
const orders = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, items: i + 2, note: 'n'.repeat(512) }))
const savedWarn = console.warn

describe('console-restored', () => {
  afterEach(() => {
    console.warn = savedWarn
  })

  it('mutes a warning it expects', () => {
    console.warn = () => {}
    console.warn('expected')
    expect(describeOrder({ id: 1, items: 1 })).toMatch(/order 1/)
  })

  it('warns about an order without an address', () => {
    console.warn(new Error('order 100 has no address'), { id: 100, items: 3, note: 'x'.repeat(1024) })
  })

  it.each(orders)('warns about order $id', (order) => {
    console.warn(new Error(`order ${order.id} has no address`), order)
    expect(describeOrder(order)).toContain(String(order.id))
  })
})

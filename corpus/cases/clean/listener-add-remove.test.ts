import { describe, expect, it } from 'vitest'
import { numbers } from '../src/payload.js'
import { onceOrder, orderWatchers, placeOrder, watchOrders } from '../src/order-feed.js'

const ids = Array.from({ length: 12 }, (_, i) => i + 1)

describe('listener-add-remove', () => {
  it('watches orders with a 5000-value ledger and unsubscribes', () => {
    const ledger = numbers(5000)
    const unsubscribe = watchOrders((event) => {
      ledger[event.id] = event.total
    })
    try {
      placeOrder({ id: 1, total: 30 })
      expect(ledger[1]).toBe(30)
    } finally {
      unsubscribe()
    }
    expect(orderWatchers()).toBe(0)
  })

  it('handles a one-shot listener', () => {
    const ledger = numbers(2000)
    onceOrder((event) => {
      ledger[0] = event.total
    })
    placeOrder({ id: 2, total: 12 })
    expect(ledger[0]).toBe(12)
    expect(orderWatchers()).toBe(0)
  })

  it.each(ids)('records order %i in a 2000-value ledger', (id) => {
    const ledger = numbers(2000)
    const unsubscribe = watchOrders((event) => {
      ledger[event.id] = event.total
    })
    placeOrder({ id, total: id * 2 })
    unsubscribe()
    expect(ledger[id]).toBe(id * 2)
  })
})

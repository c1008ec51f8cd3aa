import { describe, expect, it } from 'vitest'
import { createService } from '../src/app.js'
import { callHandler } from './support/fake-http.js'

// One service for the whole file, as in production: it outlives every request.
const service = createService()

/** An order with a ~32 KB note, the size of a real order with its line-item comments. */
function order(customerId: string, quantity = 1) {
  return {
    customerId,
    items: [{ sku: 'SKU-1', quantity, priceCents: 1250 }],
    note: 'Deliver to the back door. '.repeat(1260),
  }
}

describe('orders', () => {
  it('creates an order and returns its id and total', async () => {
    const res = await callHandler(service.handler, { method: 'POST', url: '/orders', json: order('c1', 2) })
    expect(res.status).toBe(201)
    expect(JSON.parse(res.body)).toEqual({ id: expect.any(String), total: 2500 })
  })

  it('publishes order:created on the bus', async () => {
    const seen: number[] = []
    const unsubscribe = service.bus.on('order:created', ({ total }) => seen.push(total))
    await callHandler(service.handler, { method: 'POST', url: '/orders', json: order('c2', 3) })
    unsubscribe()
    expect(seen).toEqual([3750])
  })

  it('accepts an order from a returning customer', async () => {
    const first = await callHandler(service.handler, { method: 'POST', url: '/orders', json: order('c3') })
    const second = await callHandler(service.handler, { method: 'POST', url: '/orders', json: order('c3') })
    expect(JSON.parse(first.body).id).not.toBe(JSON.parse(second.body).id)
  })

  it('rejects an order without items', async () => {
    const res = await callHandler(service.handler, {
      method: 'POST',
      url: '/orders',
      json: { customerId: 'c4', items: [] },
    })
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toEqual({ error: 'an order needs at least one item' })
  })

  it.each([
    ['c10', 1, 1250],
    ['c11', 2, 2500],
    ['c12', 3, 3750],
    ['c13', 4, 5000],
    ['c14', 5, 6250],
    ['c15', 6, 7500],
    ['c16', 7, 8750],
    ['c17', 8, 10000],
    ['c18', 9, 11250],
    ['c19', 10, 12500],
    ['c20', 11, 13750],
    ['c21', 12, 15000],
  ])('totals an order from %s of %i items as %i cents', async (customerId, quantity, total) => {
    const res = await callHandler(service.handler, {
      method: 'POST',
      url: '/orders',
      json: order(customerId, quantity),
    })
    expect(JSON.parse(res.body).total).toBe(total)
  })
})

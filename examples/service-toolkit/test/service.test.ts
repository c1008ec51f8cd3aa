import { createServer, type Server } from 'node:http'
import { PGlite } from '@electric-sql/pglite'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type PricingServer, startPricingServer } from '../src/pricing.js'
import { createService, SCHEMA } from '../src/service.js'

let db: PGlite
let pricingServer: PricingServer
let service: ReturnType<typeof createService>
let http: Server
let base: string

// One HTTP server and one service for the file, as in production: fetch keeps a connection pool per
// origin, so a new port per test would leave one behind each time (growth that is fetch's, not ours).
// The test of a dead pricing service swaps in a second service pointed at a closed port.
beforeAll(async () => {
  db = new PGlite()
  await db.exec(SCHEMA)
  pricingServer = await startPricingServer({ 'sku-1': 1250, 'sku-2': 990 })
  // Orders of the other tests must not run into the limit the rate-limiting test checks.
  shared = createService({ db, pricingPort: pricingServer.port, ordersPerWindow: 100, orderWindowMs: 100 })
  // Pointed at port 1, which refuses connections: creates fail until the short timeout, then the
  // breaker opens and refuses at once.
  down = createService({ db, pricingPort: 1, pricingTimeoutMs: 100 })
  http = createServer((request, response) => service.handler(request, response))
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(http.address() as { port: number }).port}`
  // PGlite's own memory grows over its first few thousand statements and then levels off (measured:
  // 165, 86, 17, 2 B per upsert over successive rounds of 2000). Warm it and the request path up, so a
  // hunt run's repetitions see the service's steady state, not PGlite settling in.
  service = shared
  for (let i = 0; i < 1000; i++) {
    await post('/orders', JSON.stringify({ id: 'warm-up', customer: 'warm-up', sku: 'sku-1', quantity: i + 1 }))
  }
  for (let i = 0; i < 300; i++) {
    await fetch(`${base}/products/sku-${(i % 2) + 1}`).then((r) => r.text())
    await fetch(`${base}/products/sku-9999`).then((r) => r.text())
    await fetch(`${base}/export`).then((r) => r.text())
  }
}, 120_000)
afterAll(async () => {
  http.closeAllConnections()
  await new Promise((resolve) => http.close(resolve))
  await shared.close()
  await down.close()
  await pricingServer.close()
  await db.close()
})

let shared: ReturnType<typeof createService>
let down: ReturnType<typeof createService>
beforeEach(() => {
  service = shared
})
afterEach(async () => {
  if (service !== shared && service !== down) await service.close()
})

const post = (path: string, body: string) =>
  fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })

describe('service-toolkit', () => {
  it('answers a product with its price from the pricing service over a pooled connection', async () => {
    const response = await fetch(`${base}/products/sku-1`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ sku: 'sku-1', name: 'Product 1', price: { cents: 1250, stale: false } })
    expect(service.pricing.stats()).toMatchObject({ borrowed: 0 })
    expect(service.pricing.stats().size).toBeGreaterThanOrEqual(1)
  })

  it('answers 404 for an unknown product', async () => {
    expect((await fetch(`${base}/products/sku-9999`)).status).toBe(404)
  })

  it('caps the catalog at 100 rows and says it was truncated', async () => {
    const body = (await (await fetch(`${base}/products`)).json()) as { products: unknown[]; truncated: boolean }
    expect([body.products.length, body.truncated]).toEqual([100, true])
    // The planner expected 2000 rows: the guard warned before reading any.
    expect(service.counters.rowCapWarnings).toBeGreaterThanOrEqual(1)
  })

  it('places an order, idempotently by its id', async () => {
    const order = { id: 'order-a', customer: 'c1', sku: 'sku-2', quantity: 2 }
    expect((await post('/orders', JSON.stringify(order))).status).toBe(201)
    const again = await post('/orders', JSON.stringify({ ...order, quantity: 3 }))
    expect(await again.json()).toEqual({ id: 'order-a', quantity: 3 })
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE id = 'order-a'")
    expect(rows[0]!.n).toBe(1)
  })

  it('refuses a prototype-poisoning body with the position of the key', async () => {
    const response = await post('/orders', '{"id":"x","__proto__":{"admin":true}}')
    expect(response.status).toBe(400)
    expect(((await response.json()) as { error: string }).error).toContain(
      'forbidden key "__proto__" at position 10 (line 1, column 11)',
    )
  })

  it('rate-limits orders per customer: the fourth within the window is answered 429', async () => {
    service.setOrderLimit(3, 60_000)
    try {
      const order = (n: number) => JSON.stringify({ id: `order-r${n}`, customer: 'busy', sku: 'sku-1', quantity: 1 })
      const statuses = []
      for (let n = 0; n < 4; n++) statuses.push((await post('/orders', order(n))).status)
      expect(statuses).toEqual([201, 201, 201, 429])
    } finally {
      service.setOrderLimit(100, 100)
    }
  })

  it('serves the last known price, marked stale, when the pricing service is down', async () => {
    const up = await (await fetch(`${base}/products/sku-2`)).json()
    expect(up).toMatchObject({ price: { cents: 990, stale: false } })
    // The service whose pricing service is down knows no price yet, so the answer says so.
    service = down
    const stale = await (await fetch(`${base}/products/sku-2`)).json()
    expect(stale).toEqual({ sku: 'sku-2', name: 'Product 2', price: { cents: null, stale: true } })
  })

  it('exports orders as CSV through a stream', async () => {
    await post('/orders', JSON.stringify({ id: 'order-e', customer: 'c2', sku: 'sku-1', quantity: 1 }))
    const response = await fetch(`${base}/export`)
    expect(response.headers.get('x-streamed')).toBe('false')
    expect(await response.text()).toContain('order-e,c2,sku-1,1\n')
  })
})

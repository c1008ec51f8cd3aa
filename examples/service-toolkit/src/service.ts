import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import {
  CircuitBreaker,
  cachedJSONStringify,
  JSONParseError,
  MemoryBoundedCache,
  optimalBufferSize,
  type PGliteLike,
  QueryGuard,
  RateLimiter,
  ResourcePool,
  safeJSONParse,
  shouldUseStreaming,
} from '@qtests/core'
import { askPrice, type PricingConnection, pricingConnections } from './pricing.js'

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS products (sku text PRIMARY KEY, name text NOT NULL);
  CREATE TABLE IF NOT EXISTS orders (id text PRIMARY KEY, customer text NOT NULL, sku text NOT NULL REFERENCES products, quantity int NOT NULL);
  INSERT INTO products SELECT 'sku-' || g, 'Product ' || g FROM generate_series(1, 2000) g ON CONFLICT DO NOTHING;
`

export interface ServiceOptions {
  db: PGliteLike
  pricingPort: number
  /** Orders one customer may place per `orderWindowMs`. */
  ordersPerWindow?: number
  orderWindowMs?: number
  /** How long an order waits for the rate limiter before the answer is 429, ms. */
  orderWaitMs?: number
  /** How long a price may take, waiting for a pricing connection included, before the last known price is used, ms. */
  pricingTimeoutMs?: number
}

interface Product {
  sku: string
  name: string
}

/**
 * A small order service: products from PGlite through the QueryGuard (row cap, cost-scaled timeouts),
 * cached in a MemoryBoundedCache; prices from the pricing service over pooled TCP connections behind a
 * CircuitBreaker (the last known price when it is down); orders rate-limited per customer, bodies parsed
 * with safeJSONParse; a CSV export streamed with a buffer sized by optimalBufferSize.
 */
export function createService(options: ServiceOptions) {
  const guard = new QueryGuard(options.db, { maxRows: 100, minTimeoutMs: 500, maxTimeoutMs: 5_000 })
  // The catalog is capped on purpose; count the planner's warnings instead of printing each one.
  const counters = { rowCapWarnings: 0 }
  guard.on('warning', () => {
    counters.rowCapWarnings++
  })
  const products = new MemoryBoundedCache<string, Product>({ maxBytes: 256 * 1024, ttlMs: 60_000 })
  const lastPrices = new MemoryBoundedCache<string, number>({ maxBytes: 64 * 1024, sizeOf: () => 64 })
  const pricing = new ResourcePool<PricingConnection>({
    ...pricingConnections(options.pricingPort),
    max: 4,
    acquireTimeoutMs: options.pricingTimeoutMs ?? 1_000,
    createRetryMs: 20,
    createRetryMaxMs: 200,
  })
  const breaker = new CircuitBreaker({
    volumeThreshold: 3,
    halfOpenAfterMs: 5_000,
    timeoutMs: options.pricingTimeoutMs ?? 1_000,
  })
  let orders = new RateLimiter({ limit: options.ordersPerWindow ?? 5, intervalMs: options.orderWindowMs ?? 60_000 })
  // The catalog page is one object, replaced when a product changes: cachedJSONStringify reuses its text.
  let catalog: { products: Product[]; truncated: boolean } | undefined

  async function product(sku: string): Promise<Product | undefined> {
    const cached = products.get(sku)
    if (cached !== undefined) return cached
    const { rows } = await guard.query<Product>('SELECT sku, name FROM products WHERE sku = $1', [sku])
    if (rows[0] !== undefined) products.set(sku, rows[0])
    return rows[0]
  }

  async function price(sku: string): Promise<{ cents: number | null; stale: boolean }> {
    try {
      const cents = await breaker.execute(() => pricing.use((connection) => askPrice(connection, sku)))
      lastPrices.set(sku, cents)
      return { cents, stale: false }
    } catch {
      // Refused by the open breaker (BrokenCircuitError), timed out, or failed: the last known price.
      return { cents: lastPrices.get(sku) ?? null, stale: true }
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://service')
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(typeof body === 'string' ? body : JSON.stringify(body))
    }
    const productMatch = /^\/products\/([\w-]+)$/.exec(url.pathname)
    if (request.method === 'GET' && productMatch) {
      const found = await product(productMatch[1]!)
      if (found === undefined) return send(404, { error: 'no such product' })
      return send(200, { ...found, price: await price(found.sku) })
    }
    if (request.method === 'GET' && url.pathname === '/products') {
      if (catalog === undefined) {
        const { rows, truncated } = await guard.query<Product>('SELECT sku, name FROM products ORDER BY sku')
        catalog = { products: rows, truncated }
      }
      return send(200, cachedJSONStringify(catalog)!)
    }
    if (request.method === 'POST' && url.pathname === '/orders') {
      let body: { id?: unknown; customer?: unknown; sku?: unknown; quantity?: unknown }
      try {
        body = safeJSONParse(await readBody(request), { maxBytes: 16 * 1024 })
      } catch (error) {
        if (error instanceof JSONParseError) return send(400, { error: error.message })
        throw error
      }
      const { id, customer, sku, quantity } = body
      if (
        typeof id !== 'string' ||
        typeof customer !== 'string' ||
        typeof sku !== 'string' ||
        !Number.isInteger(quantity)
      ) {
        return send(400, { error: 'an order needs id, customer, sku (strings) and an integer quantity' })
      }
      // Not AbortSignal.timeout: on Node 20 each such signal stayed in memory (≈ 350 B) after it fired.
      const waited = new AbortController()
      const timer = setTimeout(() => waited.abort(), options.orderWaitMs ?? 50)
      try {
        const { rows } = await orders.schedule(
          customer,
          // The client's id makes a retried order idempotent: the same row is written again.
          () =>
            guard.query(
              'INSERT INTO orders (id, customer, sku, quantity) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET quantity = EXCLUDED.quantity RETURNING id, quantity',
              [id, customer, sku, quantity],
            ),
          { signal: waited.signal },
        )
        return send(201, rows[0])
      } catch (error) {
        if (waited.signal.aborted) return send(429, { error: `too many orders from ${customer}; try again later` })
        if ((error as { code?: string }).code === '23503') return send(400, { error: `no such product: ${sku}` })
        throw error
      } finally {
        clearTimeout(timer)
      }
    }
    if (request.method === 'GET' && url.pathname === '/export') {
      return exportCsv(response)
    }
    send(404, { error: 'not found' })
  }

  /** Writes every order to a CSV file, then sends it: streamed when large, with a buffer sized for the file. */
  async function exportCsv(response: ServerResponse): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'orders-export-'))
    const file = join(dir, 'orders.csv')
    try {
      const { rows } = await guard.query<{ line: string }>(
        "SELECT id || ',' || customer || ',' || sku || ',' || quantity AS line FROM orders ORDER BY id",
        [],
        { maxRows: 100_000 },
      )
      await pipeline(
        rows.map((row) => `${row.line}\n`),
        createWriteStream(file),
      )
      response.writeHead(200, { 'content-type': 'text/csv', 'x-streamed': String(await shouldUseStreaming(file)) })
      await pipeline(createReadStream(file, { highWaterMark: await optimalBufferSize(file) }), response)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  return {
    handler: (request: IncomingMessage, response: ServerResponse) => {
      handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ error: (error as Error).message }))
      })
    },
    guard,
    pricing,
    breaker,
    counters,
    /** Replaces the per-customer order limit (an operator's knob); counting starts afresh. */
    setOrderLimit(ordersPerWindow: number, orderWindowMs: number) {
      orders.stop()
      orders = new RateLimiter({ limit: ordersPerWindow, intervalMs: orderWindowMs })
    },
    async close() {
      orders.stop()
      await pricing.drain()
    },
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

import { ResourcePool } from '@qtests/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type PricingConnection,
  type PricingServer,
  pricingConnections,
  startPricingServer,
} from '../../src/pricing.js'

let pricingServer: PricingServer
beforeAll(async () => {
  pricingServer = await startPricingServer({ 'sku-1': 100 })
})
afterAll(async () => {
  await pricingServer.close()
})

// One pool for the file, as a service keeps one: each run borrows from it warm, and only connections
// that fail validation are replaced. The checks that nothing is lost run after every run and, with the
// server's count of open connections, after the final drain.
const counts = { creates: 0, validations: 0, createFailures: 0, validateFailures: 0, handedTwice: 0 }
let pool: ResourcePool<PricingConnection>

/**
 * 10k acquire/release cycles by 8 callers on at most 4 connections, with failures on a fixed schedule
 * (every 10th create, every 5000th validation: a few new connections per run), so every run is the same.
 */
async function soak() {
  const inUse = new Set<PricingConnection>()
  let cycles = 0
  const caller = async () => {
    while (cycles < 10_000) {
      cycles++
      const connection = await pool.acquire()
      if (inUse.has(connection)) counts.handedTwice++
      inUse.add(connection)
      await Promise.resolve()
      inUse.delete(connection)
      pool.release(connection)
      // Callers sometimes pause, so connections also sit idle and are validated when next borrowed.
      if (cycles % 5 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
  }
  await Promise.all(Array.from({ length: 8 }, caller))
}

beforeAll(async () => {
  const real = pricingConnections(pricingServer.port)
  pool = new ResourcePool<PricingConnection>({
    create: async () => {
      if (++counts.creates % 10 === 0) {
        counts.createFailures++
        throw new Error('injected create failure')
      }
      return real.create()
    },
    destroy: real.destroy,
    validate: async (connection) => {
      if (++counts.validations % 5000 === 0) {
        counts.validateFailures++
        return false
      }
      return real.validate!(connection)
    },
    max: 4,
    createRetryMs: 1,
    createRetryMaxMs: 4,
    acquireTimeoutMs: 30_000,
  })
  // The first runs allocate compiled code and feedback V8 keeps; warm up so hunt mode judges the steady state.
  for (let i = 0; i < 5; i++) await soak()
}, 60_000)

afterAll(async () => {
  await pool.drain()
  const stats = pool.stats()
  expect(stats).toMatchObject({ size: 0, borrowed: 0, pending: 0 })
  expect(stats.created).toBe(stats.destroyed)
  for (let i = 0; i < 100 && pricingServer.openConnections() > 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 10))
  expect(pricingServer.openConnections()).toBe(0)
})

describe('ResourcePool soak on real TCP connections', () => {
  it('10k acquire/release cycles with injected create and validate failures lose and leak no connection', async () => {
    const before = { ...counts }
    await soak()
    const stats = pool.stats()
    expect(counts.handedTwice).toBe(0)
    expect(stats).toMatchObject({ borrowed: 0, pending: 0 })
    expect(stats.size).toBe(stats.created - stats.destroyed)
    expect(stats.size).toBeLessThanOrEqual(4)
    expect(counts.validateFailures).toBeGreaterThan(before.validateFailures)
    expect(counts.createFailures).toBeGreaterThan(0)
    // The server's side: it has exactly the pool's connections open (closed ones may take a moment to be seen).
    for (let i = 0; i < 100 && pricingServer.openConnections() !== stats.size; i++)
      await new Promise((resolve) => setTimeout(resolve, 10))
    expect(pricingServer.openConnections()).toBe(stats.size)
  })
})

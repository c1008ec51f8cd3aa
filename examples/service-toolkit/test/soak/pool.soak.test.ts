import { ResourcePool } from '@qtests/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PricingConnection, type PricingServer, pricingConnections, startPricingServer } from '../../src/pricing.js'

let pricingServer: PricingServer
beforeAll(async () => {
  pricingServer = await startPricingServer({ 'sku-1': 100 })
})
afterAll(async () => {
  await pricingServer.close()
})

/** Deterministic pseudo-random numbers in [0, 1): the same soak every run. */
function lcg(seed: number) {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
}

describe('ResourcePool soak on real TCP connections', () => {
  it('10k acquire/release cycles with injected create and validate failures lose and leak no connection', async () => {
    const random = lcg(7)
    const real = pricingConnections(pricingServer.port)
    let createFailures = 0
    let validateFailures = 0
    const pool = new ResourcePool<PricingConnection>({
      create: async () => {
        if (random() < 0.1) {
          createFailures++
          throw new Error('injected create failure')
        }
        return real.create()
      },
      destroy: real.destroy,
      validate: async (connection) => {
        if (random() < 0.02) {
          validateFailures++
          return false
        }
        return real.validate!(connection)
      },
      max: 4,
      createRetryMs: 1,
      createRetryMaxMs: 4,
      acquireTimeoutMs: 30_000,
    })
    const inUse = new Set<PricingConnection>()
    let handedTwice = 0
    let cycles = 0
    const caller = async () => {
      while (cycles < 10_000) {
        cycles++
        const connection = await pool.acquire()
        if (inUse.has(connection)) handedTwice++
        inUse.add(connection)
        await Promise.resolve()
        inUse.delete(connection)
        pool.release(connection)
        // Callers sometimes pause, so connections also sit idle and are validated when next borrowed.
        if (random() < 0.2) await new Promise((resolve) => setImmediate(resolve))
      }
    }
    await Promise.all(Array.from({ length: 8 }, caller))
    await pool.drain()
    const stats = pool.stats()
    expect(handedTwice).toBe(0)
    expect(stats).toMatchObject({ size: 0, borrowed: 0, pending: 0 })
    expect(stats.created).toBe(stats.destroyed)
    expect(createFailures).toBeGreaterThan(0)
    expect(validateFailures).toBeGreaterThan(0)
    // The server's side: every connection the pool opened is closed again.
    for (let i = 0; i < 100 && pricingServer.openConnections() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(pricingServer.openConnections()).toBe(0)
  })
})

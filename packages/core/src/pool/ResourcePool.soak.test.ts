import { describe, expect, it } from 'vitest'
import { ResourcePool } from './ResourcePool.js'

/** Deterministic pseudo-random numbers in [0, 1): the same soak every run. */
function lcg(seed: number) {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
}

describe('ResourcePool soak: 10k acquire/release cycles with injected failures', () => {
  it('loses no caller, hands no resource to two callers or after failed validation, and destroys each resource once', async () => {
    const random = lcg(42)
    let nextId = 0
    const live = new Set<number>()
    const destroyedTwice: number[] = []
    const failedValidation = new Set<number>()
    const pool = new ResourcePool<{ id: number }>({
      create: async () => {
        await Promise.resolve()
        if (random() < 0.1) throw new Error('injected create failure')
        const resource = { id: nextId++ }
        live.add(resource.id)
        return resource
      },
      destroy: async (resource) => {
        if (!live.delete(resource.id)) destroyedTwice.push(resource.id)
      },
      validate: async (resource) => {
        if (random() < 0.1) {
          failedValidation.add(resource.id)
          return false
        }
        return true
      },
      max: 4,
      createRetryMs: 1,
      createRetryMaxMs: 4,
      acquireTimeoutMs: 60_000,
    })
    const inUse = new Set<number>()
    const problems: string[] = []
    let cycles = 0
    const caller = async () => {
      while (cycles < 10_000) {
        cycles++
        const resource = await pool.acquire()
        if (inUse.has(resource.id)) problems.push(`resource ${resource.id} handed to two callers`)
        if (failedValidation.has(resource.id))
          problems.push(`resource ${resource.id} handed out after failing validation`)
        inUse.add(resource.id)
        await Promise.resolve()
        inUse.delete(resource.id)
        const roll = random()
        if (roll < 0.02) await pool.destroy(resource)
        else pool.release(resource, roll < 0.07 ? new Error('injected query failure') : undefined)
        // Callers sometimes pause, so resources also sit idle and are validated on their next borrow.
        if (random() < 0.3) await new Promise((resolve) => setImmediate(resolve))
      }
    }
    await Promise.all(Array.from({ length: 16 }, caller))
    const stats = pool.stats()
    expect(stats).toMatchObject({ borrowed: 0, pending: 0 })
    expect(stats.size).toBe(stats.created - stats.destroyed)
    await pool.drain()
    expect(problems).toEqual([])
    expect(destroyedTwice).toEqual([])
    expect(live.size).toBe(0)
    expect(pool.stats()).toMatchObject({ size: 0, created: nextId, destroyed: nextId })
    expect(failedValidation.size).toBeGreaterThan(0)
  }, 60_000)
})

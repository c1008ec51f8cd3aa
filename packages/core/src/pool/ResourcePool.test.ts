import { afterEach, describe, expect, it, vi } from 'vitest'
import { PoolDrainedError, PoolTimeoutError } from './errors.js'
import { ResourcePool, type ResourcePoolOptions } from './ResourcePool.js'

interface Conn {
  id: number
  closed: boolean
}

/** A pool of numbered fake connections; `log` records creates and destroys, `fail` makes the next creates reject. */
function poolOf(options: Partial<ResourcePoolOptions<Conn>> = {}) {
  const state = {
    next: 1,
    failCreates: 0,
    createError: new Error('connect ECONNREFUSED 127.0.0.1:5432'),
    destroyed: [] as number[],
  }
  const pool = new ResourcePool<Conn>({
    create: async () => {
      if (state.failCreates > 0) {
        state.failCreates--
        throw state.createError
      }
      return { id: state.next++, closed: false }
    },
    destroy: (conn) => {
      if (conn.closed) throw new Error(`connection ${conn.id} destroyed twice`)
      conn.closed = true
      state.destroyed.push(conn.id)
    },
    max: 2,
    now: () => Date.now(),
    ...options,
  })
  return { pool, state }
}

const flush = () => new Promise((resolve) => setImmediate(resolve))
const pools: ResourcePool<Conn>[] = []
const track = <T extends { pool: ResourcePool<Conn> }>(made: T): T => {
  pools.push(made.pool)
  return made
}

afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(pools.splice(0).map((pool) => pool.drain()))
})

describe('ResourcePool', () => {
  it('creates on demand, reuses released resources and counts them', async () => {
    const { pool } = track(poolOf())
    const a = await pool.acquire()
    pool.release(a)
    const again = await pool.acquire()
    expect(again).toBe(a)
    const b = await pool.acquire()
    expect(b.id).toBe(2)
    expect(pool.stats()).toEqual({
      size: 2,
      available: 0,
      borrowed: 2,
      pending: 0,
      created: 2,
      destroyed: 0,
      evicted: 0,
    })
    pool.release(again)
    pool.release(b)
    expect(pool.stats()).toMatchObject({ available: 2, borrowed: 0 })
  })

  it('serves waiting callers in the order they asked', async () => {
    const { pool } = track(poolOf({ max: 1 }))
    const first = await pool.acquire()
    const order: number[] = []
    const waiters = [1, 2, 3].map(async (n) => {
      const conn = await pool.acquire()
      order.push(n)
      return conn
    })
    await flush()
    expect(pool.stats().pending).toBe(3)
    pool.release(first)
    for (const waiter of waiters) pool.release(await waiter)
    expect(order).toEqual([1, 2, 3])
  })

  it('times out a waiting caller with an error naming the last create error', async () => {
    vi.useFakeTimers()
    const { pool, state } = track(poolOf({ max: 1, acquireTimeoutMs: 500, createRetryMs: 100 }))
    state.failCreates = Number.POSITIVE_INFINITY
    const waiting = pool.acquire()
    const settled = waiting.catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(500)
    const error = (await settled) as PoolTimeoutError
    expect(error).toBeInstanceOf(PoolTimeoutError)
    expect(error.message).toBe(
      'ResourcePool: acquire timed out after 500 ms (acquireTimeoutMs); 0 of max 1 resources borrowed, 0 in the pool, 1 callers waiting; the last create failed: connect ECONNREFUSED 127.0.0.1:5432.',
    )
    expect(error.cause).toBe(state.createError)
  })

  it('times out with a hint to release or raise max when every resource is borrowed', async () => {
    const { pool } = track(poolOf({ max: 1, acquireTimeoutMs: 20 }))
    const held = await pool.acquire()
    await expect(pool.acquire()).rejects.toThrow('every resource is in use: raise max, or release resources sooner')
    pool.release(held)
  })

  it('retries a failing create with doubling backoff while a caller waits, and serves it once create works', async () => {
    vi.useFakeTimers()
    const attempts: number[] = []
    const { pool, state } = track(poolOf({ createRetryMs: 100, createRetryMaxMs: 400, acquireTimeoutMs: 10_000 }))
    pool.on('createError', () => attempts.push(Date.now()))
    const start = Date.now()
    state.failCreates = 4
    const waiting = pool.acquire()
    await vi.advanceTimersByTimeAsync(2_000)
    const conn = await waiting
    expect(conn.id).toBe(1)
    expect(attempts.map((t) => t - start)).toEqual([0, 100, 300, 700])
    expect(pool.stats()).toMatchObject({ created: 1, borrowed: 1, pending: 0 })
    pool.release(conn)
  })

  it('never hands out a resource that fails validation (false or a throw), and evicts it', async () => {
    const bad = new Set<number>()
    const { pool, state } = track(
      poolOf({
        validate: (conn) => {
          if (conn.id === 2) throw new Error('socket closed')
          return !bad.has(conn.id)
        },
      }),
    )
    const [a, b] = [await pool.acquire(), await pool.acquire()]
    pool.release(a)
    pool.release(b)
    bad.add(1)
    const got = await pool.acquire()
    const second = await pool.acquire()
    expect([got.id, second.id]).toEqual([3, 4])
    expect(state.destroyed.sort()).toEqual([1, 2])
    expect(pool.stats()).toMatchObject({ evicted: 2, destroyed: 2, size: 2 })
    pool.release(got)
    pool.release(second)
  })

  it('evicts on maxUses and maxAgeMs, and idle resources above min after idleTimeoutMs', async () => {
    vi.useFakeTimers()
    const { pool, state } = track(
      poolOf({ max: 3, min: 1, maxUses: 2, idleTimeoutMs: 1_000, maxAgeMs: 10_000, evictionIntervalMs: 100 }),
    )
    await vi.advanceTimersByTimeAsync(0)
    expect(pool.stats().size).toBe(1) // min created at start
    const a = await pool.acquire()
    pool.release(a)
    pool.release(await pool.acquire()) // second use of the same: retired
    expect(state.destroyed).toEqual([1])
    const [b, c] = [await pool.acquire(), await pool.acquire()]
    pool.release(b)
    pool.release(c)
    await vi.advanceTimersByTimeAsync(1_100)
    expect(pool.stats()).toMatchObject({ size: 1, available: 1 })
    await vi.advanceTimersByTimeAsync(10_000)
    // past maxAgeMs even the min resource goes, and is replaced
    expect(pool.stats()).toMatchObject({ size: 1 })
    expect(state.destroyed.length).toBe(3)
  })

  it('when over capacity, evicts idle resources with the highest score first: errors before clean ones', async () => {
    const { pool, state } = track(poolOf({ max: 3 }))
    const [a, b, c] = [await pool.acquire(), await pool.acquire(), await pool.acquire()]
    pool.release(a)
    pool.release(b, new Error('query failed'))
    pool.release(c)
    pool.max = 2
    expect(state.destroyed).toEqual([b.id])
    pool.max = 1
    expect(state.destroyed.length).toBe(2)
    expect(pool.stats()).toMatchObject({ size: 1, evicted: 2 })
  })

  it('evicts idle resources above min when process memory passes the threshold', async () => {
    let used = 10
    const { pool } = track(
      poolOf({ max: 3, min: 1, memoryThreshold: 0.8, readMemory: () => ({ usedBytes: used, budgetBytes: 100 }) }),
    )
    const conns = [await pool.acquire(), await pool.acquire(), await pool.acquire()]
    for (const conn of conns) pool.release(conn)
    expect(pool.evictNow()).toBe(0)
    used = 85
    expect(pool.evictNow()).toBe(2)
    expect(pool.stats()).toMatchObject({ size: 1, evicted: 2 })
  })

  it('rejects a waiting caller whose signal aborts, and the late resource goes idle instead of leaking', async () => {
    let finishCreate: (() => void) | undefined
    const pool = new ResourcePool<Conn>({
      create: () => new Promise<Conn>((resolve) => (finishCreate = () => resolve({ id: 1, closed: false }))),
      destroy: () => {},
    })
    pools.push(pool)
    const controller = new AbortController()
    const waiting = pool.acquire(controller.signal)
    controller.abort(new Error('client went away'))
    await expect(waiting).rejects.toThrow('client went away')
    finishCreate!()
    await flush()
    expect(pool.stats()).toMatchObject({ size: 1, available: 1, borrowed: 0, pending: 0 })
  })

  it('refuses a second release, and replaces a destroyed resource for a waiting caller', async () => {
    const { pool, state } = track(poolOf({ max: 1 }))
    const a = await pool.acquire()
    const waiting = pool.acquire()
    await pool.destroy(a)
    expect(() => pool.release(a)).toThrow(
      'ResourcePool.release: this resource is not borrowed from this pool (released twice, or destroyed?).',
    )
    const b = await waiting
    expect([b.id, state.destroyed]).toEqual([2, [1]])
    pool.release(b)
    expect(() => pool.release(b)).toThrow('not borrowed')
  })

  it('use() releases after the callback, also when it throws, counting the error against the resource', async () => {
    const { pool } = track(poolOf({ max: 1 }))
    await expect(
      pool.use(async () => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await pool.use(async (conn) => conn.id)).toBe(1)
    expect(pool.stats()).toMatchObject({ borrowed: 0, available: 1 })
  })

  it('drain() rejects waiting callers, waits for borrowed resources and destroys every resource once', async () => {
    const { pool, state } = track(poolOf({ max: 2 }))
    const [a, b] = [await pool.acquire(), await pool.acquire()]
    const waiting = pool.acquire()
    let drained = false
    const drain = pool.drain().then(() => {
      drained = true
    })
    await expect(waiting).rejects.toBeInstanceOf(PoolDrainedError)
    pool.release(a)
    await flush()
    expect(drained).toBe(false)
    expect(state.destroyed).toEqual([1])
    pool.release(b)
    await drain
    expect(state.destroyed).toEqual([1, 2])
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0, pending: 0, created: 2, destroyed: 2 })
    await expect(pool.acquire()).rejects.toBeInstanceOf(PoolDrainedError)
    expect(pool.drain()).toBe(pool.drain())
  })

  it('drain() waits for a create in flight and destroys what it returns', async () => {
    let finishCreate: (() => void) | undefined
    const destroyed: number[] = []
    const pool = new ResourcePool<Conn>({
      create: () => new Promise<Conn>((resolve) => (finishCreate = () => resolve({ id: 7, closed: false }))),
      destroy: (conn) => {
        destroyed.push(conn.id)
      },
      min: 1,
    })
    const drain = pool.drain()
    finishCreate!()
    await drain
    expect([destroyed, pool.stats().size]).toEqual([[7], 0])
  })

  it('checks its options', () => {
    const base = { create: () => 1, destroy: () => {} }
    expect(() => new ResourcePool({ ...base, min: 3, max: 2 })).toThrow(
      new RangeError('ResourcePool: max must be an integer ≥ 1 and ≥ min (3); got 2.'),
    )
    expect(() => new ResourcePool({ ...base, acquireTimeout: 5 } as never)).toThrow('did you mean "acquireTimeoutMs"?')
    expect(() => new ResourcePool({ destroy: () => {} } as never)).toThrow(
      'ResourcePool: create must be a function returning a resource or a promise of one; got undefined.',
    )
  })
})

import { type ChildProcess, fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RateLimiter } from './RateLimiter.js'
import { privateRedis, type TestRedis, testRedis } from './testRedis.js'
import { maxStartsInWindow, promisedMaxStarts } from './testStarts.js'
import { windowRule } from './window.js'

const CHILD = fileURLToPath(new URL('./cluster.child.mjs', import.meta.url))
const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url))
const LEASE_MS = 50

interface ChildResult {
  starts: Array<{ index: number; atMs: number }>
  outcomes: string[]
  stats: { lateGrants: number; storeErrors: number }
}

let uniquePrefix = 0
const prefix = () => `qtests-test:${process.pid}:${Date.now()}:${uniquePrefix++}`

/** Forks one child per entry of offsetsMs, starts them together, returns what each reported. */
async function runProcesses(url: string, limiter: object, offsetsMs: number[][], key = 'shared'): Promise<ChildResult[]> {
  if (!existsSync(DIST)) throw new Error(`Cluster tests run the built package: ${DIST} is missing; run pnpm --filter @qtests/core build.`)
  const shared = { url, prefix: prefix(), key, limiter, redis: { leaseMs: LEASE_MS } }
  const children: ChildProcess[] = offsetsMs.map((offsets) =>
    fork(CHILD, [JSON.stringify({ ...shared, offsetsMs: offsets })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  )
  const results = children.map(
    (child) =>
      new Promise<ChildResult>((resolve, reject) => {
        child.on('message', (message) => {
          if (message !== 'ready') resolve(message as ChildResult)
        })
        child.once('exit', (code) => reject(new Error(`cluster child exited with code ${code} before reporting`)))
      }),
  )
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))))
  for (const child of children) child.send('go')
  return Promise.all(results)
}

describe('RateLimiter cluster mode (3 processes, real Redis)', () => {
  let redis: TestRedis
  beforeAll(async () => {
    redis = await testRedis()
  })
  afterAll(async () => {
    await redis?.kill()
  })

  it('never starts more than promised in any window across 3 processes, and runs every job exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 200, max: 400 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 3, maxLength: 8 }), {
          minLength: 3,
          maxLength: 3,
        }),
        async (limit, burst, intervalMs, offsetsMs) => {
          const results = await runProcesses(redis.url, { limit, burst, intervalMs }, offsetsMs)
          results.forEach((result, p) => {
            expect(result.outcomes).toEqual(offsetsMs[p]!.map(() => 'ran'))
            expect(result.starts.map((s) => s.index).sort((a, b) => a - b)).toEqual(offsetsMs[p]!.map((_, i) => i))
          })
          const starts = results.flatMap((r) => r.starts.map((s) => s.atMs))
          const rule = windowRule(limit, burst, intervalMs)
          for (const n of [1, 2, 3]) {
            expect(maxStartsInWindow(starts, n * intervalMs)).toBeLessThanOrEqual(
              promisedMaxStarts(rule, intervalMs, n * intervalMs, LEASE_MS),
            )
          }
        },
      ),
      { numRuns: 4 },
    )
  }, 120_000)
})

describe('RateLimiter cluster mode when Redis fails', () => {
  it('runs every job exactly once across a Redis restart, and keeps the window across it', async () => {
    const redis = await privateRedis()
    const limiter = new RateLimiter({ limit: 4, intervalMs: 200, redis: { url: redis.url, prefix: prefix(), leaseMs: LEASE_MS } })
    try {
      const runs = new Map<number, number>()
      const starts: number[] = []
      const jobs = Array.from({ length: 40 }, (_, i) =>
        limiter.schedule('k', async () => {
          runs.set(i, (runs.get(i) ?? 0) + 1)
          starts.push(performance.timeOrigin + performance.now())
          return i
        }),
      )
      await new Promise((resolve) => setTimeout(resolve, 600))
      const startedBeforeCrash = starts.length
      await redis.kill()
      await new Promise((resolve) => setTimeout(resolve, 400))
      await redis.restart()
      expect(await Promise.all(jobs)).toEqual(Array.from({ length: 40 }, (_, i) => i))
      expect([...runs.values()].every((count) => count === 1)).toBe(true)
      expect(runs.size).toBe(40)
      expect(startedBeforeCrash).toBeGreaterThan(0)
      expect(startedBeforeCrash).toBeLessThan(40)
      expect(limiter.stats().storeErrors).toBeGreaterThan(0)
      expect(maxStartsInWindow(starts, 200)).toBeLessThanOrEqual(4)
    } finally {
      await limiter.close()
      await redis.kill()
    }
  }, 30_000)

  it('rejects waiting jobs with RateLimitStoreError once Redis stays down past unavailableTimeoutMs; none of them run', async () => {
    const redis = await privateRedis()
    const limiter = new RateLimiter({
      limit: 2,
      intervalMs: 200,
      redis: { url: redis.url, prefix: prefix(), leaseMs: LEASE_MS, unavailableTimeoutMs: 300 },
    })
    try {
      const ran: number[] = []
      const jobs = Array.from({ length: 6 }, (_, i) => limiter.schedule('k', async () => ran.push(i)))
      await new Promise((resolve) => setTimeout(resolve, 350))
      await redis.kill()
      const outcomes = await Promise.allSettled(jobs)
      const rejected = outcomes.filter((o) => o.status === 'rejected')
      expect(ran.length + rejected.length).toBe(6)
      expect(rejected.length).toBeGreaterThan(0)
      for (const r of rejected) {
        expect((r as PromiseRejectedResult).reason).toMatchObject({ name: 'RateLimitStoreError' })
        expect((r as PromiseRejectedResult).reason.message).toMatch(/could not reach Redis for \d+ ms while key "k" had waiting jobs/)
      }
    } finally {
      await limiter.close()
      await redis.kill()
    }
  }, 30_000)
})

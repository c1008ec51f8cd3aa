import { type ChildProcess, fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RateLimiter } from './RateLimiter.js'
import { DIST_INDEX } from '../../test/dist.js'
import { privateRedis, type TestRedis, testRedis } from '../../test/redis.js'
import { maxStartsInWindow, promisedMaxStarts } from '../../test/windowStarts.js'
import { windowRule } from './window.js'

const CHILD = fileURLToPath(new URL('../../test/rateLimitCluster.child.mjs', import.meta.url))
const LEASE_MS = 50

interface Job {
  key: string
  offsetMs: number
  holdMs: number
}

interface ChildResult {
  /** Job indices in the order this process called schedule. */
  scheduled: number[]
  starts: Array<{ index: number; key: string; atMs: number }>
  outcomes: string[]
  /** Most of this process's jobs running at once. */
  mostRunning: number
  stats: { lateGrants: number; storeErrors: number }
}

let uniquePrefix = 0
const prefix = () => `qtests-test:${process.pid}:${Date.now()}:${uniquePrefix++}`

/** The next message of `type` from child, or a rejection if it exits first (or exited already, between runs). */
function nextMessage<M>(child: ChildProcess, type: string): Promise<M> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      reject(new Error(`cluster child exited (${child.exitCode ?? child.signalCode}) before sending ${type}`))
      return
    }
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return
      cleanUp()
      resolve(message as M)
    }
    const onExit = (code: number | null) => {
      cleanUp()
      reject(new Error(`cluster child exited with code ${code} before sending ${type}`))
    }
    const cleanUp = () => {
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

/** Child processes that serve one run after another, so each run does not pay for starting Node. */
function forkProcesses(count: number): ChildProcess[] {
  if (!existsSync(DIST_INDEX))
    throw new Error(
      `Cluster tests run the built package: ${DIST_INDEX} is missing; run pnpm --filter @qtests/core build.`,
    )
  return Array.from({ length: count }, () => fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
}

/** One run: process p schedules jobs[p]; all start together on a fresh prefix; returns what each reported. */
async function runProcesses(
  children: ChildProcess[],
  url: string,
  limiter: object,
  jobs: Job[][],
): Promise<ChildResult[]> {
  const shared = { url, prefix: prefix(), limiter, redis: { leaseMs: LEASE_MS } }
  const ready = children.map((child) => nextMessage(child, 'ready'))
  children.forEach((child, p) => {
    child.send({ type: 'prepare', config: { ...shared, jobs: jobs[p] } })
  })
  await Promise.all(ready)
  const results = children.map((child) => nextMessage<ChildResult>(child, 'result'))
  for (const child of children) child.send({ type: 'go' })
  return Promise.all(results)
}

describe('RateLimiter cluster mode (3 processes, real Redis)', () => {
  let redis: TestRedis
  let children: ChildProcess[] = []
  beforeAll(async () => {
    redis = await testRedis()
    children = forkProcesses(3)
  })
  afterAll(async () => {
    for (const child of children) if (child.connected) child.disconnect()
    await redis?.kill()
  })

  it("never starts more than promised per key in any window across 3 processes; each process starts a key's jobs in the order it scheduled them, each once", async () => {
    const job = fc.record({
      key: fc.constantFrom('a', 'b'),
      offsetMs: fc.integer({ min: 0, max: 600 }),
      holdMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
    })
    await fc.assert(
      fc.asyncProperty(
        // Key a gets `limit`, key b a different one through keyLimits.
        fc.uniqueArray(fc.integer({ min: 2, max: 6 }), { minLength: 2, maxLength: 2 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 200, max: 400 }),
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        fc.array(fc.array(job, { minLength: 2, maxLength: 6 }), { minLength: 3, maxLength: 3 }),
        async ([limitA, limitB], burst, intervalMs, maxConcurrent, jobs) => {
          const limiter = { limit: limitA, keyLimits: { b: limitB }, burst, intervalMs, maxConcurrent }
          const results = await runProcesses(children, redis.url, limiter, jobs)
          results.forEach((result, p) => {
            const own = jobs[p]!
            expect(result.outcomes).toEqual(own.map(() => 'ran'))
            expect(result.scheduled.slice().sort((x, y) => x - y)).toEqual(own.map((_, i) => i))
            // Not sorted: one FIFO per key, and a grant starts jobs from its head, across batches too.
            for (const key of ['a', 'b']) {
              expect(result.starts.filter((s) => s.key === key).map((s) => s.index)).toEqual(
                result.scheduled.filter((i) => own[i]!.key === key),
              )
            }
            if (maxConcurrent !== undefined) expect(result.mostRunning).toBeLessThanOrEqual(maxConcurrent)
          })
          for (const [key, limit] of [
            ['a', limitA],
            ['b', limitB],
          ] as const) {
            const starts = results.flatMap((r) => r.starts.filter((s) => s.key === key).map((s) => s.atMs))
            const rule = windowRule(limit!, burst, intervalMs)
            for (const n of [1, 2, 3]) {
              expect(maxStartsInWindow(starts, n * intervalMs)).toBeLessThanOrEqual(
                promisedMaxStarts(rule, intervalMs, n * intervalMs, LEASE_MS),
              )
            }
          }
        },
      ),
      { numRuns: 12 },
    )
  }, 180_000)
})

describe('RateLimiter cluster mode when Redis fails', () => {
  it('runs every job exactly once across a Redis restart, and keeps the window across it', async () => {
    const redis = await privateRedis()
    const limiter = new RateLimiter({
      limit: 4,
      intervalMs: 200,
      redis: { url: redis.url, prefix: prefix(), leaseMs: LEASE_MS },
    })
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
        expect((r as PromiseRejectedResult).reason.message).toMatch(
          /could not reach Redis for \d+ ms while key "k" had waiting jobs/,
        )
      }
    } finally {
      await limiter.close()
      await redis.kill()
    }
  }, 30_000)
})

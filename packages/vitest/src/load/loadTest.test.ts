import { setTimeout as sleep } from 'node:timers/promises'
import { LoadTestError } from '@qtests/core'
import { describe, expect, it, TestRunner } from 'vitest'
import { loadTest } from './loadTest.js'

describe('loadTest', () => {
  it('returns the result and keeps it on the running test’s meta', async () => {
    const result = await loadTest({
      target: async function lookup() {
        await sleep(1)
      },
      requests: 50,
      concurrency: 5,
      progress: false,
    })
    expect(result.requests).toBe(50)
    expect(TestRunner.getCurrentTest()!.meta.qtestsLoad).toEqual([result])
    await loadTest({ target: async () => {}, requests: 5, progress: false })
    expect(TestRunner.getCurrentTest()!.meta.qtestsLoad).toHaveLength(2)
  })

  it('throws naming the missed threshold and the measured value, after keeping the result', async () => {
    const slow = async () => {
      await sleep(20)
    }
    const error = await loadTest({
      target: slow,
      requests: 10,
      concurrency: 2,
      thresholds: { p50Ms: 5 },
      progress: false,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LoadTestError)
    expect((error as Error).message).toMatch(
      /^load test of function slow: p50 latency \d+(\.\d)? ms exceeds the threshold p50Ms: 5$/,
    )
    expect((error as LoadTestError).misses.map((miss) => miss.threshold)).toEqual(['p50Ms'])
    expect(TestRunner.getCurrentTest()!.meta.qtestsLoad![0]!.thresholds.passed).toBe(false)
  })
})

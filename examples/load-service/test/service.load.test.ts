import { loadTest } from '@qtests/vitest/load'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startService } from '../src/server.js'

let service: Awaited<ReturnType<typeof startService>>

beforeAll(async () => {
  service = await startService()
})

afterAll(async () => {
  await service.stop()
})

describe('load-service under load', () => {
  it('serves users at 200 requests per second with a p99 under 2 s and no errors', async () => {
    // Open model: 200 arrivals a second whatever the service does; latency counts from when each was due.
    // The budget is loose on purpose: this suite runs beside others on a 2-core machine, where the service and
    // the load share the CPUs with every other test (a p99 of 1.4 s was seen there). Where a load test runs
    // alone, use the service's real objective.
    const result = await loadTest({
      target: `${service.url}/users/42`,
      rate: 200,
      durationMs: 2_000,
      thresholds: { p99Ms: 2_000, errorRate: 0 },
    })
    // 400 requests were due; any not sent by the end (every slot busy) are counted, not lost.
    expect(result.requests + result.unsent).toBe(400)
  })

  it('keeps the slow reports endpoint within its p99 budget with 10 clients', async () => {
    // Closed model: 10 clients, each asking again as soon as it is answered. The budget can be tightened from
    // the environment (the e2e suite sets 5 ms to see the test fail with the measured value).
    const p99Ms = Number(process.env.QTESTS_EXAMPLE_REPORTS_P99_MS ?? 2_000)
    await loadTest({ target: `${service.url}/reports`, concurrency: 10, durationMs: 1_500, thresholds: { p99Ms } })
  })
})

import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { assertLoadResult, LoadTester, LoadTestError, summaryLine } from './loadTester.js'

describe('LoadTester with a function target', () => {
  it('runs an open model at its rate for its duration and reports plain JSON', async () => {
    const result = await new LoadTester({
      target: async function getUser() {
        await sleep(1)
      },
      rate: 200,
      durationMs: 500,
      progress: false,
    }).run()
    expect(result.target).toBe('function getUser')
    expect(result.mode).toBe('open')
    // 200/s for 0.5 s: 100 requests were due; a busy machine may leave a few unsent, never more than due.
    expect(result.requests + result.unsent).toBe(100)
    expect(result.requests).toBeGreaterThan(50)
    expect(result.errors).toBe(0)
    expect(result.latencyMs.p50).toBeGreaterThanOrEqual(1)
    expect(result.latencyMs.p99).toBeGreaterThanOrEqual(result.latencyMs.p50)
    expect(result.modes).toEqual([{ atMs: 0, mode: 'normal', reason: 'start' }])
    expect(result.stoppedBy).toBe('duration')
    expect(result.threads).toBe(0)
    expect(result.settings).toEqual({ rate: 200, concurrency: 100, durationMs: 500, requests: null, timeoutMs: 10_000 })
    expect(result.monitor.samples).toBeGreaterThanOrEqual(1)
    expect(JSON.parse(JSON.stringify(result))).toEqual(result)
  })

  it('sends exactly the request count in the closed model, never more at once than its concurrency', async () => {
    let inFlight = 0
    let most = 0
    const target = async () => {
      most = Math.max(most, ++inFlight)
      await sleep(1)
      inFlight--
    }
    const result = await new LoadTester({ target, concurrency: 3, requests: 60, progress: false }).run()
    expect(result.requests).toBe(60)
    expect(result.stoppedBy).toBe('requests')
    expect(most).toBe(3)
    expect(result.settings.durationMs).toBeNull()
    expect(result.sendLagMs).toBeNull()
    expect(result.fromSendMs).toBeNull()
  })

  it('open model: reports how late requests were sent, and counts that wait in their latency', async () => {
    // 100 due a second, one slot, each call 50 ms: request i is due at 10·i ms but can start only at ≥ 50·i ms.
    const result = await new LoadTester({
      target: () => sleep(50),
      rate: 100,
      concurrency: 1,
      requests: 10,
      progress: false,
    }).run()
    expect(result.requests).toBe(10)
    expect(result.sendLagMs!.max).toBeGreaterThanOrEqual(40 * 9)
    expect(result.latencyMs.max).toBeGreaterThanOrEqual(result.sendLagMs!.max + 50 - 1)
    // From the send, each call took its own 50 ms and no more than a few ms of timer slack.
    expect(result.fromSendMs!.p50).toBeGreaterThanOrEqual(49)
    expect(result.fromSendMs!.max).toBeLessThan(result.sendLagMs!.max)
  })

  it('counts rejections and throws as errors with their messages, and reports missed thresholds', async () => {
    let call = 0
    const target = () => {
      call++
      if (call % 4 === 0) throw new Error('thrown')
      return call % 2 === 0 ? Promise.reject(new Error('rejected')) : Promise.resolve()
    }
    const result = await new LoadTester({
      target,
      requests: 100,
      concurrency: 2,
      thresholds: { errorRate: 0.1, p99Ms: 10_000 },
      progress: false,
    }).run()
    expect(result.errors).toBe(50)
    expect(result.errorRate).toBe(0.5)
    expect(result.errorMessages).toEqual([
      { message: 'rejected', count: 25 },
      { message: 'thrown', count: 25 },
    ])
    expect(result.thresholds.passed).toBe(false)
    expect(result.thresholds.misses.map((miss) => miss.message)).toEqual([
      'error rate 0.5 (50 of 100 requests) exceeds the threshold errorRate: 0.1',
    ])
    expect(() => assertLoadResult(result)).toThrow(new LoadTestError(result))
    expect(() => assertLoadResult(result)).toThrow(
      'load test of function target: error rate 0.5 (50 of 100 requests) exceeds the threshold errorRate: 0.1',
    )
    expect(summaryLine(result)).toMatch(
      /^load function target: 100 requests in \d+\.\d s \([\d.]+ req\/s\), p50 .* 50 errors; missed: errorRate$/,
    )
  })

  it('waits timeoutMs for calls still running at the end, then counts them as errors', async () => {
    const result = await new LoadTester({
      target: () => new Promise(() => {}),
      requests: 3,
      concurrency: 3,
      timeoutMs: 100,
      progress: false,
    }).run()
    expect(result.requests).toBe(3)
    expect(result.errors).toBe(3)
    expect(result.errorMessages).toEqual([{ message: 'no answer within timeoutMs (100 ms) after the end', count: 3 }])
  })

  it('refuses bad options with one error naming the option, the value and what is allowed', () => {
    const target = async () => {}
    expect(() => new LoadTester({ target, rate: 10, concurency: 5 } as never)).toThrow(
      'LoadTester: unknown option "concurency" (did you mean "concurrency"?)',
    )
    expect(() => new LoadTester({ target: 'ftp://localhost/' })).toThrow(
      'LoadTester: target must be an http(s) URL or a function; got "ftp://localhost/".',
    )
    expect(() => new LoadTester({ target, mode: 'open' })).toThrow(
      'LoadTester: rate must be requests per second (a finite number > 0) in the open model; got undefined.',
    )
    expect(() => new LoadTester({ target, mode: 'closed', rate: 5 })).toThrow(
      "LoadTester: rate must be left out in the closed model (use mode: 'open' for a fixed arrival rate); got 5.",
    )
    expect(() => new LoadTester({ target, thresholds: { p99: 50 } as never })).toThrow(
      'LoadTester: unknown option "thresholds.p99" (did you mean "thresholds.p99Ms"?); allowed options of thresholds: p50Ms, p90Ms, p99Ms, maxMs, errorRate, minRps.',
    )
    expect(() => new LoadTester({ target, thresholds: { errorRate: 2 } })).toThrow(
      'LoadTester: thresholds.errorRate must be a share from 0 to 1; got 2.',
    )
    expect(() => new LoadTester({ target, threads: 2 })).toThrow(
      'LoadTester: threads must be left out for a function target',
    )
    expect(
      () => new LoadTester({ target: 'http://127.0.0.1:1/', request: { headers: { 'x-a': 'b\r\nx-c: d' } } }),
    ).toThrow('LoadTester: request.headers.x-a must be a string without line breaks; got "b\\r\\nx-c: d".')
    expect(() => new LoadTester({ target, requests: 1.5 })).toThrow(
      'LoadTester: requests must be an integer ≥ 1; got 1.5.',
    )
    expect(() => new LoadTester({ target, memory: { limitByte: 1 } } as never)).toThrow(
      'unknown option "memory.limitByte" (did you mean "memory.limitBytes"?)',
    )
  })
})

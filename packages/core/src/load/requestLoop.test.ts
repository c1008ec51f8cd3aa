import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { type IssueRequest, type LoopShare, RequestLoop } from './requestLoop.js'

function loop(share: LoopShare, issue: IssueRequest, options: { durationMs?: number; budget?: number } = {}) {
  const results: { latencyMs: number; error: string | undefined }[] = []
  let claimed = 0
  const requestLoop = new RequestLoop({
    share,
    issue,
    endMs: performance.now() + (options.durationMs ?? Number.POSITIVE_INFINITY),
    claim: () => claimed++ < (options.budget ?? Number.POSITIVE_INFINITY),
    onResult: (_at, latencyMs, error) => results.push({ latencyMs, error }),
  })
  return { requestLoop, results }
}

const answerAfter =
  (ms: number): IssueRequest =>
  (done) => {
    setTimeout(() => done(undefined), ms)
  }

/** A target answering after `ms` that counts the most requests it had in flight at once. */
function counted(ms: number) {
  let inFlight = 0
  const counter = { most: 0 }
  const issue: IssueRequest = (done) => {
    counter.most = Math.max(counter.most, ++inFlight)
    setTimeout(() => {
      inFlight--
      done(undefined)
    }, ms)
  }
  return { issue, counter }
}

describe('RequestLoop, open model', () => {
  it('charges a stall to the requests queued behind it: latency runs from when each was due', async () => {
    // One slot, 100 requests/s; the first request takes 300 ms, the others answer at once.
    let calls = 0
    const issue: IssueRequest = (done) => {
      calls++
      if (calls === 1) setTimeout(() => done(undefined), 300)
      else queueMicrotask(() => done(undefined))
    }
    const { requestLoop, results } = loop({ model: 'open', ratePerSec: 100, maxInFlight: 1 }, issue, { budget: 20 })
    requestLoop.start()
    await requestLoop.finished
    expect(results).toHaveLength(20)
    // Request i (from 0) was due at i × 10 ms and could not start before the first answered at ≥ 300 ms.
    for (let i = 1; i < 20; i++) expect(results[i]!.latencyMs, `request ${i}`).toBeGreaterThanOrEqual(300 - i * 10 - 1)
  })

  it('also gives each latency from its send, which leaves out the wait for a slot', async () => {
    let calls = 0
    const issue: IssueRequest = (done) => {
      calls++
      if (calls === 1) setTimeout(() => done(undefined), 300)
      else setTimeout(() => done(undefined), 5)
    }
    const latencies: { latencyMs: number; fromSendMs: number }[] = []
    let claimed = 0
    const requestLoop = new RequestLoop({
      share: { model: 'open', ratePerSec: 100, maxInFlight: 1 },
      issue,
      endMs: Number.POSITIVE_INFINITY,
      claim: () => claimed++ < 5,
      onResult: (_at, latencyMs, _error, fromSendMs) => latencies.push({ latencyMs, fromSendMs }),
    })
    requestLoop.start()
    await requestLoop.finished
    expect(latencies).toHaveLength(5)
    expect(latencies[0]!.fromSendMs).toBeGreaterThanOrEqual(299)
    // Request 1 was due at 10 ms and sent after the first answered (≥ 300 ms): its wait counts in latencyMs only.
    expect(latencies[1]!.latencyMs).toBeGreaterThanOrEqual(289)
    expect(latencies[1]!.fromSendMs).toBeLessThan(latencies[1]!.latencyMs - 200)
    for (const { latencyMs, fromSendMs } of latencies) expect(fromSendMs).toBeLessThanOrEqual(latencyMs)
  })

  it('never has more requests in flight than its cap, and counts those due but never sent', async () => {
    const { issue, counter } = counted(100)
    const { requestLoop } = loop({ model: 'open', ratePerSec: 200, maxInFlight: 3 }, issue, { durationMs: 300 })
    requestLoop.start()
    await requestLoop.finished
    expect(counter.most).toBe(3)
    // 200/s for 300 ms is 60 due; 3 slots of 100 ms send at most 12.
    expect(requestLoop.unsent).toBeGreaterThanOrEqual(40)
  })

  it('counts every request due before the end as unsent when told the run ended, only those already due on an early stop', async () => {
    for (const runEnded of [true, false]) {
      const { requestLoop, results } = loop({ model: 'open', ratePerSec: 100, maxInFlight: 10 }, answerAfter(1), {
        durationMs: 1000,
      })
      requestLoop.start()
      await sleep(100)
      // Another thread's clock may say the run is over while this one is still short of its end.
      requestLoop.stop(runEnded)
      await requestLoop.finished
      if (runEnded) expect(results.length + requestLoop.unsent).toBe(100)
      else expect(results.length + requestLoop.unsent).toBeLessThan(50)
    }
  })

  it('started late, owes the requests due since its start time and sends them at once, with their lag', async () => {
    const startMs = performance.now() - 100
    const latencies: number[] = []
    const requestLoop = new RequestLoop({
      share: { model: 'open', ratePerSec: 100, maxInFlight: 50 },
      issue: answerAfter(1),
      endMs: startMs + 200,
      claim: () => true,
      onResult: (_at, latencyMs) => latencies.push(latencyMs),
    })
    requestLoop.start(startMs)
    await requestLoop.finished
    expect(latencies.length + requestLoop.unsent).toBe(20)
    // The first was due 100 ms before the loop started.
    expect(Math.max(...latencies)).toBeGreaterThanOrEqual(100)
  })

  it('passes error messages through', async () => {
    const { requestLoop, results } = loop({ model: 'open', ratePerSec: 1000, maxInFlight: 5 }, (done) => done('boom'), {
      budget: 3,
    })
    requestLoop.start()
    await requestLoop.finished
    expect(results.map((result) => result.error)).toEqual(['boom', 'boom', 'boom'])
  })
})

describe('RequestLoop, closed model', () => {
  it('keeps exactly its loops busy, sends the budget and stops', async () => {
    const { issue, counter } = counted(2)
    const { requestLoop, results } = loop({ model: 'closed', loops: 4 }, issue, { budget: 40 })
    requestLoop.start()
    await requestLoop.finished
    expect(results).toHaveLength(40)
    expect(counter.most).toBe(4)
  })

  it('retires loops when its share shrinks and adds them when it grows', async () => {
    let inFlight = 0
    const seen: number[] = []
    const issue: IssueRequest = (done) => {
      inFlight++
      setTimeout(() => {
        seen.push(inFlight)
        inFlight--
        done(undefined)
      }, 5)
    }
    const { requestLoop } = loop({ model: 'closed', loops: 8 }, issue)
    requestLoop.start()
    await sleep(50)
    requestLoop.setShare({ model: 'closed', loops: 2 })
    await sleep(50)
    const reduced = seen.length
    await sleep(50)
    expect(Math.max(...seen.slice(reduced))).toBeLessThanOrEqual(2)
    requestLoop.setShare({ model: 'closed', loops: 6 })
    const grown = seen.length
    await sleep(50)
    expect(Math.max(...seen.slice(grown))).toBe(6)
    requestLoop.stop()
    await requestLoop.finished
    expect(inFlight).toBe(0)
  })

  it('lets timers run while a target that answers at once is hammered', async () => {
    const { requestLoop, results } = loop({ model: 'closed', loops: 4 }, (done) =>
      queueMicrotask(() => done(undefined)),
    )
    requestLoop.start()
    await sleep(30)
    requestLoop.stop()
    await requestLoop.finished
    expect(results.length).toBeGreaterThan(100)
  })
})

describe('RequestLoop, both models', () => {
  it('ignores a second answer to the same request', async () => {
    const { requestLoop, results } = loop(
      { model: 'closed', loops: 1 },
      (done) => {
        done(undefined)
        done('again')
      },
      { budget: 2 },
    )
    requestLoop.start()
    await requestLoop.finished
    expect(results.map((result) => result.error)).toEqual([undefined, undefined])
  })

  it('waits for requests in flight after stop', async () => {
    const { requestLoop, results } = loop({ model: 'open', ratePerSec: 100, maxInFlight: 10 }, answerAfter(50))
    requestLoop.start()
    await sleep(5)
    requestLoop.stop()
    expect(requestLoop.inFlight).toBe(1)
    await requestLoop.finished
    expect(results).toHaveLength(1)
  })
})

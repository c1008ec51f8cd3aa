import { describe, expect, it } from 'vitest'
import { coldAdmission, ScalingPolicy, type TickReading } from './scalingPolicy.js'

const MB = 1024 ** 2
const settings = { min: 1, max: 16, memoryBudgetBytes: 4096 * MB, cores: 2, isolated: true }

/** Readings every 250 ms from `from`, the same but for what `reading` says. */
function ticks(policy: ScalingPolicy, count: number, reading: Partial<TickReading>, from = 0) {
  const decisions = []
  for (let i = 0; i < count; i++)
    decisions.push(
      policy.tick({
        atMs: from + i * 250,
        cpuBusy: 0.3,
        mainBusy: 0.1,
        totalRssBytes: 500 * MB,
        running: 2,
        waiting: 10,
        limit: 2,
        ...reading,
      }),
    )
  return decisions
}

describe('ScalingPolicy', () => {
  it('doubles the limit while files wait and the CPUs and the main thread idle (files waiting on I/O)', () => {
    const decisions = ticks(new ScalingPolicy(settings), 8, {})
    expect(decisions.filter((decision) => decision.growBy === 2)).toHaveLength(4)
    expect(decisions.every((decision) => !decision.holdGrowth)).toBe(true)
  })

  it('holds growth once the CPUs are saturated for a second', () => {
    const decisions = ticks(new ScalingPolicy(settings), 6, { cpuBusy: 1 })
    expect(decisions.at(-1)).toMatchObject({ holdGrowth: true })
    expect(decisions.some((decision) => decision.growBy)).toBe(false)
  })

  it('reads the load over time, not over ticks, whatever the sampling interval', () => {
    const base = { mainBusy: 0.1, totalRssBytes: 500 * MB, running: 2, waiting: 10, limit: 2 }
    // Every 100 ms: a worker's 400 ms start-up at the end of a quiet second does not hold growth.
    const fast = new ScalingPolicy(settings)
    for (let t = 0; t < 1000; t += 100) fast.tick({ ...base, atMs: t, spanMs: 100, cpuBusy: t >= 600 ? 1 : 0.2 })
    expect(fast.tick({ ...base, atMs: 1000, spanMs: 100, cpuBusy: 1 }).holdGrowth).toBe(false)
    // Every 625 ms (the lowest default rate): two saturated readings are more than a second of it.
    const slow = new ScalingPolicy(settings)
    slow.tick({ ...base, atMs: 625, spanMs: 625, cpuBusy: 1 })
    expect(slow.tick({ ...base, atMs: 1250, spanMs: 625, cpuBusy: 1 }).holdGrowth).toBe(true)
    // and one idle reading of 625 ms is half a second of idle CPUs: files waiting on I/O get more workers
    expect(new ScalingPolicy(settings).tick({ ...base, atMs: 625, spanMs: 625, cpuBusy: 0.2 }).growBy).toBe(2)
  })

  it('does not grow while the main thread is what the workers wait for, though the CPUs idle', () => {
    // One of two CPUs busy: the main thread transforming modules for workers that wait on it.
    const decisions = ticks(new ScalingPolicy(settings), 8, { cpuBusy: 0.5, mainBusy: 0.95 })
    expect(decisions.some((decision) => decision.growBy)).toBe(false)
    expect(decisions.at(-1)!.holdGrowth).toBe(true)
  })

  it('cuts the limit to the files running when memory passes 85% of the budget, at most once a second', () => {
    const decisions = ticks(new ScalingPolicy(settings), 6, {
      totalRssBytes: 3600 * MB,
      running: 3,
      limit: 8,
      waiting: 2,
    })
    expect(decisions.map((decision) => decision.cutTo)).toEqual([3, undefined, undefined, undefined, undefined, 3])
    expect(decisions.some((decision) => decision.growBy)).toBe(false)
  })

  it("keeps reused workers (isolate: false) at Vitest's default, CPUs - 1: another one loads the module graph again", () => {
    const reused = new ScalingPolicy({ ...settings, isolated: false })
    expect(reused.ceiling).toBe(1)
    expect(new ScalingPolicy({ ...settings, cores: 8, isolated: false }).ceiling).toBe(7)
    // workers.min wins over the ceiling
    expect(new ScalingPolicy({ ...settings, min: 2, isolated: false }).ceiling).toBe(2)
    // At the ceiling, files waiting on I/O do not raise it.
    expect(ticks(reused, 8, { limit: 1 }).some((decision) => decision.growBy)).toBe(false)
    expect(new ScalingPolicy(settings).ceiling).toBe(16)
  })
})

describe('coldAdmission', () => {
  const cold = {
    candidateMeasured: false,
    peakSeen: false,
    unmeasuredRunning: 1,
    mainBytes: 100 * MB,
    freshWorkerBytes: 128 * MB,
    cores: 2,
  }

  it('starts unmeasured files one at a time while the budget holds only a few fresh workers', () => {
    expect(coldAdmission({ ...cold, budgetBytes: 400 * MB })).toBe(false)
    expect(coldAdmission({ ...cold, budgetBytes: 400 * MB, unmeasuredRunning: 0 })).toBe(true)
    expect(coldAdmission({ ...cold, budgetBytes: 400 * MB, candidateMeasured: true })).toBe(true)
  })

  it('stops once a file of the run has finished: its peak stands in for the unmeasured ones', () => {
    expect(coldAdmission({ ...cold, budgetBytes: 400 * MB, peakSeen: true })).toBe(true)
  })

  it('lets a roomy budget start unmeasured files side by side', () => {
    expect(coldAdmission({ ...cold, budgetBytes: 14 * 1024 * MB, unmeasuredRunning: 5 })).toBe(true)
  })
})

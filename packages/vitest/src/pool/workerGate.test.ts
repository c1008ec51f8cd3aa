import { describe, expect, it } from 'vitest'
import { AdaptiveWorkerGate, type GateRequest, type Release } from './workerGate.js'

const file = (name: string, priority = 0, exclusive = false): GateRequest => ({ file: name, priority, exclusive })

/** Acquires and records the order in which requests are granted. */
function track(gate: AdaptiveWorkerGate, requests: GateRequest[]) {
  const granted: string[] = []
  const releases = new Map<string, Release>()
  for (const request of requests) {
    void gate.acquire(request).then((release) => {
      granted.push(request.file)
      releases.set(request.file, release)
    })
  }
  return { granted, releases }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('AdaptiveWorkerGate', () => {
  it('lets at most `limit` files run and starts the next one when a slot frees', async () => {
    const gate = new AdaptiveWorkerGate(2)
    const { granted, releases } = track(gate, [file('a'), file('b'), file('c')])
    await settle()
    expect(granted).toEqual(['a', 'b'])
    expect(gate.waiting).toBe(1)
    releases.get('a')!()
    await settle()
    expect(granted).toEqual(['a', 'b', 'c'])
  })

  it('raising the limit starts waiting files at once; lowering it never stops a running one', async () => {
    const gate = new AdaptiveWorkerGate(1)
    const { granted, releases } = track(gate, [file('a'), file('b'), file('c'), file('d')])
    await settle()
    gate.limit = 3
    await settle()
    expect(granted).toEqual(['a', 'b', 'c'])
    gate.limit = 1
    expect(gate.running).toBe(3)
    releases.get('a')!()
    releases.get('b')!()
    await settle()
    expect(granted).toEqual(['a', 'b', 'c'])
    releases.get('c')!()
    await settle()
    expect(granted).toEqual(['a', 'b', 'c', 'd'])
  })

  it('starts the longest expected file first among those waiting', async () => {
    const gate = new AdaptiveWorkerGate(1)
    const { granted, releases } = track(gate, [file('first'), file('short', 100), file('long', 5000), file('unknown')])
    await settle()
    releases.get('first')!()
    await settle()
    releases.get('long')!()
    await settle()
    releases.get('short')!()
    await settle()
    expect(granted).toEqual(['first', 'long', 'short', 'unknown'])
  })

  it('runs an exclusive request (a retry) alone: it waits for the running ones and blocks new starts', async () => {
    const gate = new AdaptiveWorkerGate(3)
    const { granted, releases } = track(gate, [file('a'), file('b')])
    await settle()
    const retry = track(gate, [file('retry', 0, true)])
    const later = track(gate, [file('c')])
    await settle()
    expect(retry.granted).toEqual([])
    expect(later.granted).toEqual([])
    releases.get('a')!()
    releases.get('b')!()
    await settle()
    expect(retry.granted).toEqual(['retry'])
    expect(later.granted).toEqual([])
    retry.releases.get('retry')!()
    await settle()
    expect(later.granted).toEqual(['c'])
    expect(granted).toEqual(['a', 'b'])
  })

  it('lets a file that fits pass one that must wait for memory (first-fit by expected duration)', async () => {
    const sizes: Record<string, number> = { running: 600, big: 500, medium: 300, small: 100 }
    const fits = (request: GateRequest, running: readonly GateRequest[]) =>
      running.reduce((sum, r) => sum + sizes[r.file]!, 0) + sizes[request.file]! <= 1000
    const gate = new AdaptiveWorkerGate(4, fits)
    const { granted } = track(gate, [file('running', 9), file('big', 3), file('medium', 2), file('small', 1)])
    await settle()
    // Big (500) does not fit beside 600; medium and then small do (600 + 300 + 100), passing it.
    expect(granted).toEqual(['running', 'medium', 'small'])
  })

  it('asks the admission check before starting a file beside others, never for the only one', async () => {
    let roomFor = 1
    const gate = new AdaptiveWorkerGate(4, (_request, running) => running.length < roomFor)
    const { granted, releases } = track(gate, [file('a'), file('b'), file('c')])
    await settle()
    expect(granted).toEqual(['a'])
    roomFor = 2
    gate.pump()
    await settle()
    expect(granted).toEqual(['a', 'b'])
    releases.get('a')!()
    releases.get('b')!()
    await settle()
    expect(granted).toEqual(['a', 'b', 'c'])
  })

  it('withdraws a waiting request when its signal aborts, and a release counts once', async () => {
    const gate = new AdaptiveWorkerGate(1)
    const first = await gate.acquire(file('a'))
    const controller = new AbortController()
    const waiting = gate.acquire(file('b'), controller.signal)
    controller.abort(new Error('cancelled'))
    await expect(waiting).rejects.toThrow('cancelled')
    expect(gate.waiting).toBe(0)
    first()
    first()
    expect(gate.running).toBe(0)
  })

  it('rejects a limit that is not a positive integer, naming the value', () => {
    expect(() => new AdaptiveWorkerGate(0)).toThrow('worker limit must be an integer ≥ 1, got 0')
    const gate = new AdaptiveWorkerGate(1)
    expect(() => {
      gate.limit = 2.5
    }).toThrow('got 2.5')
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type ReleasePermit, Semaphore } from './semaphore.js'

/** Lets every queued promise callback run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('Semaphore', () => {
  it('rejects permits that are not an integer ≥ 0, naming the value', () => {
    expect(() => new Semaphore(-1)).toThrow(new RangeError('Semaphore: permits must be an integer ≥ 0; got -1.'))
    expect(() => new Semaphore(1.5)).toThrow(new RangeError('Semaphore: permits must be an integer ≥ 0; got 1.5.'))
    expect(() => new Semaphore(Number.NaN)).toThrow(
      new RangeError('Semaphore: permits must be an integer ≥ 0; got NaN.'),
    )
    expect(() => new Semaphore('3' as unknown as number)).toThrow(
      new RangeError('Semaphore: permits must be an integer ≥ 0; got "3".'),
    )
    const semaphore = new Semaphore(1)
    expect(() => {
      semaphore.permits = -2
    }).toThrow(RangeError)
    expect(semaphore.permits).toBe(1)
  })

  it('grants up to `permits` at once and queues the rest', async () => {
    const semaphore = new Semaphore(2)
    await semaphore.acquire()
    await semaphore.acquire()
    let third = false
    void semaphore.acquire().then(() => {
      third = true
    })
    await flush()
    expect(third).toBe(false)
    expect(semaphore.available).toBe(0)
    expect(semaphore.waiting).toBe(1)
  })

  it('hands released permits to waiters in the order they asked', async () => {
    const semaphore = new Semaphore(1)
    const first = await semaphore.acquire()
    const order: string[] = []
    const releases: ReleasePermit[] = []
    for (const name of ['a', 'b', 'c']) {
      void semaphore.acquire().then((release) => {
        order.push(name)
        releases.push(release)
      })
    }
    first()
    await flush()
    releases.shift()!()
    await flush()
    releases.shift()!()
    await flush()
    expect(order).toEqual(['a', 'b', 'c'])
  })

  it('frees one permit however many times a release function is called', async () => {
    const semaphore = new Semaphore(2)
    const release = await semaphore.acquire()
    await semaphore.acquire()
    release()
    release()
    expect(semaphore.available).toBe(1)
  })

  it('tryAcquire takes a free permit and returns undefined when none is free', () => {
    const semaphore = new Semaphore(1)
    const release = semaphore.tryAcquire()
    expect(release).toBeTypeOf('function')
    expect(semaphore.tryAcquire()).toBeUndefined()
    release!()
    expect(semaphore.available).toBe(1)
  })

  it('tryAcquire does not jump ahead of waiters', async () => {
    const semaphore = new Semaphore(0)
    const waiter = semaphore.acquire()
    semaphore.permits = 1 // admits the waiter synchronously
    expect(semaphore.tryAcquire()).toBeUndefined()
    const release = await waiter
    release()
    expect(semaphore.tryAcquire()).toBeTypeOf('function')
  })

  it('raising permits wakes as many waiters as the new permits allow', async () => {
    const semaphore = new Semaphore(0)
    let granted = 0
    for (let i = 0; i < 5; i++) void semaphore.acquire().then(() => granted++)
    semaphore.permits = 3
    await flush()
    expect(granted).toBe(3)
    expect(semaphore.waiting).toBe(2)
  })

  it('lowering permits below the number held admits nobody until holders drop below the new value', async () => {
    const semaphore = new Semaphore(3)
    const held = [await semaphore.acquire(), await semaphore.acquire(), await semaphore.acquire()]
    let granted = false
    void semaphore.acquire().then(() => {
      granted = true
    })
    semaphore.permits = 1
    expect(semaphore.available).toBe(0)
    held[0]!()
    held[1]!()
    await flush()
    expect(granted).toBe(false)
    held[2]!()
    await flush()
    expect(granted).toBe(true)
  })

  it('an abort cancels a waiting acquire with the signal reason, without leaking a permit', async () => {
    const semaphore = new Semaphore(1)
    const release = await semaphore.acquire()
    const controller = new AbortController()
    const waiting = semaphore.acquire(controller.signal)
    const reason = new Error('gave up')
    controller.abort(reason)
    await expect(waiting).rejects.toBe(reason)
    expect(semaphore.waiting).toBe(0)
    release()
    expect(semaphore.available).toBe(1)
  })

  it('an aborted waiter leaves the queue and the next one gets the permit', async () => {
    const semaphore = new Semaphore(1)
    const release = await semaphore.acquire()
    const controller = new AbortController()
    const order: string[] = []
    semaphore.acquire(controller.signal).then(
      () => order.push('aborted one'),
      () => order.push('rejected'),
    )
    void semaphore.acquire().then(() => order.push('next'))
    controller.abort()
    release()
    await flush()
    expect(order).toEqual(['rejected', 'next'])
    expect(semaphore.available).toBe(0)
  })

  it('an already aborted signal rejects at once, even with permits free', async () => {
    const semaphore = new Semaphore(1)
    const reason = new Error('already gone')
    await expect(semaphore.acquire(AbortSignal.abort(reason))).rejects.toBe(reason)
    expect(semaphore.available).toBe(1)
  })

  it('aborting after the permit was granted changes nothing', async () => {
    const semaphore = new Semaphore(1)
    const controller = new AbortController()
    const release = await semaphore.acquire(controller.signal)
    controller.abort()
    expect(semaphore.available).toBe(0)
    release()
    expect(semaphore.available).toBe(1)
  })

  it('run releases the permit when the function throws', async () => {
    const semaphore = new Semaphore(1)
    await expect(
      semaphore.run(() => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(semaphore.available).toBe(1)
    await expect(semaphore.run(async () => 7)).resolves.toBe(7)
    expect(semaphore.available).toBe(1)
  })

  it('never lets more holders in than permits, under any interleaving of acquire, release, resize and abort', async () => {
    type Op =
      | { kind: 'acquire'; abortable: boolean }
      | { kind: 'release'; pick: number; twice: boolean }
      | { kind: 'resize'; permits: number }
      | { kind: 'abort'; pick: number }
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('acquire' as const), abortable: fc.boolean() }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat(), twice: fc.boolean() }),
      fc.record({ kind: fc.constant('resize' as const), permits: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }),
    )
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 4 }), fc.array(op, { maxLength: 40 }), async (initial, ops) => {
        const semaphore = new Semaphore(initial)
        const holders: ReleasePermit[] = []
        const pending: AbortController[] = []
        const requested: number[] = []
        const granted: number[] = []
        let maxOverPermits = 0
        let id = 0
        for (const step of ops) {
          if (step.kind === 'acquire') {
            const controller = step.abortable ? new AbortController() : undefined
            const me = id++
            requested.push(me)
            if (controller) pending.push(controller)
            semaphore.acquire(controller?.signal).then(
              (release) => {
                holders.push(release)
                granted.push(me)
                maxOverPermits = Math.max(maxOverPermits, holders.length - semaphore.permits)
              },
              () => {
                requested.splice(requested.indexOf(me), 1)
              },
            )
          } else if (step.kind === 'release' && holders.length > 0) {
            const [release] = holders.splice(step.pick % holders.length, 1)
            release!()
            if (step.twice) release!()
          } else if (step.kind === 'resize') {
            semaphore.permits = step.permits
          } else if (step.kind === 'abort' && pending.length > 0) {
            pending.splice(step.pick % pending.length, 1)[0]!.abort()
          }
          await flush()
          expect(maxOverPermits).toBe(0)
          expect(semaphore.available).toBe(Math.max(0, semaphore.permits - holders.length))
          // Nobody waits while a permit is free.
          if (semaphore.waiting > 0) expect(holders.length).toBeGreaterThanOrEqual(semaphore.permits)
          expect(semaphore.waiting).toBe(requested.length - granted.length)
        }
        // FIFO: permits were granted in request order (aborted requests removed).
        expect(granted).toEqual(requested.slice(0, granted.length))
      }),
      { numRuns: 200 },
    )
  })
})

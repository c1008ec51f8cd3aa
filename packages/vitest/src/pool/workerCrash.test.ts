import { describe, expect, it } from 'vitest'
import { ABORTED, describeError, describeExit, OUT_OF_MEMORY, saysOutOfMemory } from './workerCrash.js'

describe('describeExit', () => {
  it('calls an abort out of memory only when V8 said so on stderr', () => {
    expect(describeExit(null, 'SIGABRT', true)).toBe(OUT_OF_MEMORY)
    expect(describeExit(null, 'SIGABRT', false)).toBe(ABORTED)
    expect(describeExit(134, null, false)).toBe(ABORTED)
  })

  it('names another signal, or the exit code', () => {
    expect(describeExit(null, 'SIGKILL', false)).toBe('worker exited: killed by SIGKILL')
    expect(describeExit(3, null, false)).toBe('worker exited unexpectedly with code 3')
  })
})

describe('describeError', () => {
  it("reads a thread worker's out-of-memory error by its code", () => {
    expect(describeError(Object.assign(new Error('x'), { code: 'ERR_WORKER_OUT_OF_MEMORY' }))).toBe(
      'worker exited: heap out of memory',
    )
    expect(describeError(new Error('boom'))).toBe('worker error: boom')
  })
})

describe('saysOutOfMemory', () => {
  it("recognises V8's fatal heap messages", () => {
    expect(saysOutOfMemory('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory')).toBe(
      true,
    )
    expect(saysOutOfMemory('Error: something else')).toBe(false)
  })
})

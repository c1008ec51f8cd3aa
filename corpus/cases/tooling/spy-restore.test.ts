import { afterEach, describe, expect, it, vi } from 'vitest'
import { numbers } from '../src/payload.js'
import { gateway, sendAlert } from '../src/sms-gateway.js'

// Looks tidy, but Vitest keeps every spy in @vitest/spy's REGISTERED_MOCKS set for the life
// of the worker, and restoreAllMocks() restores the method without clearing the spy's history:
// each test leaves one spy and the arguments it was called with behind — held by the test tool,
// not by the code under test (qtests reports it as tooling, with what to change).
afterEach(() => {
  vi.restoreAllMocks()
})

const numbersToAlert = Array.from({ length: 12 }, (_, i) => `+4930${1000 + i}`)

describe('spy-restore', () => {
  it('sends an alert of 2500 segments through a spied gateway', () => {
    const send = vi.spyOn(gateway, 'send').mockReturnValue(true)
    expect(sendAlert('+49301234', numbers(2500, 1))).toBe(true)
    expect(send).toHaveBeenCalledTimes(1)
  })

  it('checks the number format without a spy', () => {
    expect(gateway.send({ to: 'not-a-number', segments: [] })).toBe(false)
  })

  it.each(numbersToAlert)('alerts %s with 2000 segments through a spied gateway', (to) => {
    const send = vi.spyOn(gateway, 'send').mockReturnValue(false)
    expect(sendAlert(to, numbers(2000, 2))).toBe(false)
    expect(send).toHaveBeenCalledOnce()
  })
})

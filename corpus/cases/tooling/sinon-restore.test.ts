import sinon from 'sinon'
import { describe, expect, it } from 'vitest'
import { deliver, transport } from '../src/mailer.js'
import { numbers } from '../src/payload.js'

// Each test stubs the transport with sinon's default sandbox and restores the stub itself: the
// method is put back, but the stub (and the mail it was called with) stays in the sandbox until
// sinon.restore(). Held by the test tool, not by the code: qtests reports it as tooling.
const recipients = Array.from({ length: 12 }, (_, i) => `user${i + 1}@example.test`)

describe('sinon-restore', () => {
  it('delivers a 2500-value mail through a stubbed transport', () => {
    const send = sinon.stub(transport, 'send').returns(true)
    expect(deliver('ops@example.test', numbers(2500, 1))).toBe(true)
    expect(send.calledOnce).toBe(true)
    send.restore()
  })

  it('rejects an address without an @, unstubbed', () => {
    expect(deliver('nobody', [])).toBe(false)
  })

  it.each(recipients)('delivers 2000 values to %s through a stubbed transport', (to) => {
    const send = sinon.stub(transport, 'send').returns(true)
    expect(deliver(to, numbers(2000, 2))).toBe(true)
    send.restore()
  })
})

import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest'
import { mailer, notify, notifyByMail } from '../src/notifier.js'
import { numbers } from '../src/payload.js'

// The same look as mock-history (a module-level vi.fn receiving big arguments) and spy-restore
// (a spied method), but both mocks are created once and their history is cleared after every test.
const send = vi.fn()
let deliver: MockInstance<typeof mailer.deliver>

beforeAll(() => {
  deliver = vi.spyOn(mailer, 'deliver')
})

afterEach(() => {
  send.mockClear()
  deliver.mockClear()
})

afterAll(() => {
  vi.restoreAllMocks()
})

const recipients = Array.from({ length: 12 }, (_, i) => `user${i + 1}@example.com`)

describe('mocks-cleared', () => {
  it('sends a 2500-line message through the mock', () => {
    notify(send, 'ops@example.com', numbers(2500, 1))
    expect(send).toHaveBeenCalledTimes(1)
  })

  it('delivers 2000 lines of mail through a spy', () => {
    deliver.mockReturnValueOnce(true)
    expect(notifyByMail('not-an-address', numbers(2000, 1))).toBe(true)
    expect(deliver).toHaveBeenCalledTimes(1)
  })

  it.each(recipients)('notifies %s with 2000 lines', (to) => {
    notify(send, to, numbers(2000, 2))
    expect(send).toHaveBeenCalledOnce()
  })
})

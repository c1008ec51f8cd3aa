import { describe, expect, it } from 'vitest'
import { numbers } from '../src/payload.js'
import { validateSignup } from '../src/signup-validator.js'

// Tests that return `expect(promise).resolves…` instead of awaiting it (Vitest awaits what a test returns).
// Vitest 4.1 keeps each run's returned value until the test ends; once the test is over nothing stays.
const emails = Array.from({ length: 12 }, (_, i) => `user${i + 1}@example.com`)

describe('returned-resolves', () => {
  it('accepts a signup with 2500 scores', () => {
    return expect(validateSignup({ email: 'ada@example.com', scores: numbers(2500, 1) })).resolves.toMatchObject({
      success: true,
    })
  })

  it('rejects an address without an at sign', async () => {
    expect((await validateSignup({ email: 'nobody', scores: [] })).issues).toHaveLength(1)
  })

  it.each(emails)('accepts %s', (email) => {
    return expect(validateSignup({ email, scores: numbers(2000, 2) })).resolves.toMatchObject({ success: true })
  })
})

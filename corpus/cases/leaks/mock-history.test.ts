import { describe, expect, it, vi } from 'vitest'
import { cartTotal, createCheckout } from '../src/checkout.js'
import { numbers } from '../src/payload.js'

// Created once for the file and never cleared: every call's arguments stay in track.mock.calls.
const track = vi.fn()
const checkout = createCheckout({ track })

const carts = Array.from({ length: 12 }, (_, i) => `cart-${i + 1}`)

describe('mock-history', () => {
  it('tracks a submitted cart of 2500 lines', () => {
    const before = track.mock.calls.length
    expect(checkout.submit({ id: 'big', lines: numbers(2500, 3) })).toBe(2500)
    expect(track).toHaveBeenCalledTimes(before + 1)
  })

  it('sums cart prices', () => {
    expect(cartTotal([1, 2, 3.5])).toBe(6.5)
  })

  it.each(carts)('tracks %s with 2000 lines', (id) => {
    checkout.submit({ id, lines: numbers(2000, 1) })
    expect(track).toHaveBeenLastCalledWith('checkout.submitted', expect.objectContaining({ cartId: id }))
  })
})

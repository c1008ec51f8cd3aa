import { describe, expect, it } from 'vitest'
import { memoSize, quoteShipping, RATE_TABLE_LENGTH, zoneOf } from '../src/shipping-quote.js'

const warehouses = Array.from({ length: 14 }, (_, i) => i + 1)

describe('memo-map', () => {
  it('quotes a domestic parcel', () => {
    const before = memoSize()
    const quote = quoteShipping({ zone: 'domestic', weightGrams: 1200 })
    expect(quote.rates).toHaveLength(RATE_TABLE_LENGTH)
    expect(memoSize()).toBe(before + 1)
  })

  it('maps a country to a shipping zone', () => {
    expect(zoneOf('US')).toBe('domestic')
    expect(zoneOf('FR')).toBe('international')
  })

  it.each(warehouses)('quotes a batch of 4 parcels for warehouse %i', (warehouse) => {
    const before = memoSize()
    for (let parcel = 0; parcel < 4; parcel++) {
      quoteShipping({ zone: `wh${warehouse}`, weightGrams: 500 + parcel * 250 })
    }
    expect(memoSize()).toBe(before + 4)
  })
})

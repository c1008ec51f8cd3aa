import { describe, expect, it } from 'vitest'
import { convert, rateTable, tableBuilds } from '../src/currency-table.js'

const amounts = Array.from({ length: 12 }, (_, i) => (i + 1) * 10)

describe('lazy-singleton', () => {
  it('builds the rate table once', () => {
    rateTable()
    rateTable()
    expect(tableBuilds()).toBe(1)
  })

  it('converts with a rate from the table', () => {
    expect(convert(10, 3, 5)).toBe(40)
  })

  it.each(amounts)('converts %i', (amount) => {
    expect(convert(amount, 0, amount)).toBe(amount)
  })
})

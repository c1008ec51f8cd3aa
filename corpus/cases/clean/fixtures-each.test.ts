import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type InventoryDb, openInventory } from '../src/inventory-db.js'

let db: InventoryDb | undefined

// A fresh 5000-SKU inventory per test, closed and dropped after it.
beforeEach(() => {
  db = openInventory(5000)
})

afterEach(() => {
  db?.close()
  db = undefined
})

const skus = Array.from({ length: 12 }, (_, i) => i * 400)

describe('fixtures-each', () => {
  it('reserves stock that is available', () => {
    expect(db!.reserve(1, 1)).toBe(true)
    expect(db!.stock(1)).toBe(0)
  })

  it('refuses to reserve more than the stock', () => {
    expect(db!.reserve(3, 4)).toBe(false)
  })

  it.each(skus)('reads the stock of sku %i', (sku) => {
    expect(db!.stock(sku)).toBe(sku % 5)
  })
})

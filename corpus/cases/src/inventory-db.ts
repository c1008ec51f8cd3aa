import { numbers } from './payload.js'

export interface InventoryDb {
  stock(sku: number): number
  reserve(sku: number, quantity: number): boolean
  close(): void
}

// An in-memory stand-in for a database: one 8-value row per SKU.
export function openInventory(skus: number): InventoryDb {
  let rows: number[][] | undefined = Array.from({ length: skus }, (_, sku) => numbers(8, sku % 5))
  const table = () => {
    if (!rows) throw new Error('inventory is closed')
    return rows
  }
  return {
    stock: (sku) => table()[sku]?.[0] ?? 0,
    reserve(sku, quantity) {
      const row = table()[sku]
      if (!row || row[0]! < quantity) return false
      row[0] = row[0]! - quantity
      return true
    },
    close() {
      rows = undefined
    },
  }
}

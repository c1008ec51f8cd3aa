import { describe, expect, it } from 'vitest'
import { makeProducts, rankProducts } from '../src/catalog.js'

describe('ranking', () => {
  it('puts the best match first and keeps every product', () => {
    const products = makeProducts(20_000)
    const ranked = rankProducts(products, 'lamp')
    expect(ranked).toHaveLength(20_000)
    expect(new Set(ranked.map((p) => p.sku)).size).toBe(20_000)
  })
})

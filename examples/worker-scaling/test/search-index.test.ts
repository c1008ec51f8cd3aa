import { describe, expect, it } from 'vitest'
import { buildSearchIndex, makeProducts } from '../src/catalog.js'

// The full catalogue's index is big: this file's worker peaks at a few hundred MB.
describe('search index over the full catalogue', () => {
  it('finds products by tag and by title word', { timeout: 60_000 }, () => {
    const products = makeProducts(300_000)
    const index = buildSearchIndex(products)
    expect(index.get('t3')?.length).toBe(65_934)
    expect(index.get('product')?.length).toBe(300_000)
  })
})

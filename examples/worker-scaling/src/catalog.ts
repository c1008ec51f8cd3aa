export interface Product {
  sku: string
  title: string
  tags: string[]
  priceCents: number
}

/** Asks the pricing service for each SKU in turn (it rate-limits parallel calls per client). */
export async function fetchPrices(baseUrl: string, skus: readonly string[]): Promise<Map<string, number>> {
  const prices = new Map<string, number>()
  for (const sku of skus) {
    const response = await fetch(`${baseUrl}/price?sku=${encodeURIComponent(sku)}`)
    const body = (await response.json()) as { sku: string; priceCents: number }
    prices.set(body.sku, body.priceCents)
  }
  return prices
}

export function makeProducts(count: number): Product[] {
  const products: Product[] = []
  for (let i = 0; i < count; i++) {
    products.push({
      sku: `SKU-${i}`,
      title: `Product ${i} ${'x'.repeat(i % 17)}`,
      tags: [`t${i % 13}`, `t${i % 7}`],
      priceCents: (i * 37) % 5000,
    })
  }
  return products
}

/** An in-memory search index: every title word and tag points at the products carrying it. */
export function buildSearchIndex(products: readonly Product[]): Map<string, Product[]> {
  const index = new Map<string, Product[]>()
  for (const product of products) {
    for (const term of [...product.title.toLowerCase().split(' '), ...product.tags]) {
      const list = index.get(term)
      if (list) list.push(product)
      else index.set(term, [product])
    }
  }
  return index
}

/** Ranks by a relevance score that is deliberately expensive to compute, as real scoring models are. */
export function rankProducts(products: readonly Product[], query: string): Product[] {
  const score = (product: Product) => {
    let s = 0
    for (let round = 0; round < 40; round++) {
      for (const char of product.title) s = (s * 33 + char.charCodeAt(0) + query.length + round) % 1_000_003
    }
    return s
  }
  return [...products]
    .map((product) => ({ product, score: score(product) }))
    .sort((a, b) => b.score - a.score)
    .map((r) => r.product)
}

import { text } from './payload.js'

export interface Catalog {
  products: string[]
}

// About 8 MB of product descriptions, loaded once per file by a beforeAll hook.
export function loadCatalog(products: number): Catalog {
  return { products: Array.from({ length: products }, (_, i) => text(8_000, i)) }
}

export function search(catalog: Catalog, letter: string): number {
  return catalog.products.filter((description) => description.startsWith(letter)).length
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Catalog, loadCatalog, search } from '../src/catalog-fixture.js'

let catalog: Catalog | undefined

// One ~8 MB catalog for the whole file, released when the file is done.
beforeAll(() => {
  catalog = loadCatalog(1000)
})

afterAll(() => {
  catalog = undefined
})

const letters = 'abcdefghijkl'.split('')

describe('fixtures-all', () => {
  it('loads 1000 products', () => {
    expect(catalog!.products).toHaveLength(1000)
  })

  it('finds no product for an unknown letter', () => {
    expect(search(catalog!, '#')).toBe(0)
  })

  it.each(letters)('searches products starting with %s', (letter) => {
    expect(search(catalog!, letter)).toBeGreaterThan(30)
  })
})

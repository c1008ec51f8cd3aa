import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchPrices } from '../src/catalog.js'
import { priceOf, startUpstream } from '../src/upstream.js'

// Region 2's catalogue: every price comes from the (slow) pricing service.
describe('prices for region 2', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>
  beforeAll(async () => {
    upstream = await startUpstream(120)
  })
  afterAll(() => upstream.close())

  it('fetches the prices of the featured products', async () => {
    const skus = ['A-2', 'B-2', 'C-2', 'D-2']
    const prices = await fetchPrices(upstream.url, skus)
    expect([...prices.values()]).toEqual(skus.map(priceOf))
  })

  it('fetches the prices of the clearance products', async () => {
    const skus = ['X-2', 'Y-2', 'Z-2', 'W-2']
    const prices = await fetchPrices(upstream.url, skus)
    expect(prices.get('Y-2')).toBe(priceOf('Y-2'))
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchPrices } from '../src/catalog.js'
import { priceOf, startUpstream } from '../src/upstream.js'

// Region 3's catalogue: every price comes from the (slow) pricing service.
describe('prices for region 3', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>
  beforeAll(async () => {
    upstream = await startUpstream(120)
  })
  afterAll(() => upstream.close())

  it('fetches the prices of the featured products', async () => {
    const skus = ['A-3', 'B-3', 'C-3', 'D-3']
    const prices = await fetchPrices(upstream.url, skus)
    expect([...prices.values()]).toEqual(skus.map(priceOf))
  })

  it('fetches the prices of the clearance products', async () => {
    const skus = ['X-3', 'Y-3', 'Z-3', 'W-3']
    const prices = await fetchPrices(upstream.url, skus)
    expect(prices.get('Y-3')).toBe(priceOf('Y-3'))
  })
})

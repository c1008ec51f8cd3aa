import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchPrices } from '../src/catalog.js'
import { priceOf, startUpstream } from '../src/upstream.js'

// Region 5's catalogue: every price comes from the (slow) pricing service.
describe('prices for region 5', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>
  beforeAll(async () => {
    upstream = await startUpstream(120)
  })
  afterAll(() => upstream.close())

  it('fetches the prices of the featured products', async () => {
    const skus = ['A-5', 'B-5', 'C-5', 'D-5']
    const prices = await fetchPrices(upstream.url, skus)
    expect([...prices.values()]).toEqual(skus.map(priceOf))
  })

  it('fetches the prices of the clearance products', async () => {
    const skus = ['X-5', 'Y-5', 'Z-5', 'W-5']
    const prices = await fetchPrices(upstream.url, skus)
    expect(prices.get('Y-5')).toBe(priceOf('Y-5'))
  })
})

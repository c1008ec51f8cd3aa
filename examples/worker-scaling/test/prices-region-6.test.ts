import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchPrices } from '../src/catalog.js'
import { priceOf, startUpstream } from '../src/upstream.js'

// Region 6's catalogue: every price comes from the (slow) pricing service.
describe('prices for region 6', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>
  beforeAll(async () => {
    upstream = await startUpstream(120)
  })
  afterAll(() => upstream.close())

  it('fetches the prices of the featured products', async () => {
    const skus = ['A-6', 'B-6', 'C-6', 'D-6']
    const prices = await fetchPrices(upstream.url, skus)
    expect([...prices.values()]).toEqual(skus.map(priceOf))
  })

  it('fetches the prices of the clearance products', async () => {
    const skus = ['X-6', 'Y-6', 'Z-6', 'W-6']
    const prices = await fetchPrices(upstream.url, skus)
    expect(prices.get('Y-6')).toBe(priceOf('Y-6'))
  })
})

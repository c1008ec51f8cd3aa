import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchPrices } from '../src/catalog.js'
import { priceOf, startUpstream } from '../src/upstream.js'

// Region 1's catalogue: every price comes from the (slow) pricing service.
describe('prices for region 1', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>
  beforeAll(async () => {
    upstream = await startUpstream(120)
  })
  afterAll(() => upstream.close())

  it('fetches the prices of the featured products', async () => {
    const skus = ['A-1', 'B-1', 'C-1', 'D-1']
    const prices = await fetchPrices(upstream.url, skus)
    expect([...prices.values()]).toEqual(skus.map(priceOf))
  })

  it('fetches the prices of the clearance products', async () => {
    const skus = ['X-1', 'Y-1', 'Z-1', 'W-1']
    const prices = await fetchPrices(upstream.url, skus)
    expect(prices.get('Y-1')).toBe(priceOf('Y-1'))
  })
})

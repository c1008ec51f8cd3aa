import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchPrices } from '../src/catalog.js'
import { priceOf, startUpstream } from '../src/upstream.js'

// Region 4's catalogue: every price comes from the (slow) pricing service.
describe('prices for region 4', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>
  beforeAll(async () => {
    upstream = await startUpstream(120)
  })
  afterAll(() => upstream.close())

  it('fetches the prices of the featured products', async () => {
    const skus = ['A-4', 'B-4', 'C-4', 'D-4']
    const prices = await fetchPrices(upstream.url, skus)
    expect([...prices.values()]).toEqual(skus.map(priceOf))
  })

  it('fetches the prices of the clearance products', async () => {
    const skus = ['X-4', 'Y-4', 'Z-4', 'W-4']
    const prices = await fetchPrices(upstream.url, skus)
    expect(prices.get('Y-4')).toBe(priceOf('Y-4'))
  })
})

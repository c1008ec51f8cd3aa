import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { createTicker, publish, subscriberCount } from '../src/price-feed.js'

const symbols = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA', 'META', 'TSLA', 'ORCL', 'IBM', 'INTC', 'AMD', 'CSCO']

describe('emitter-listeners', () => {
  it('creates a ticker with a 6000-price history', () => {
    const before = subscriberCount()
    const ticker = createTicker('ACME', 6000)
    publish({ symbol: 'ACME', price: 101 })
    expect(ticker.latest()).toBe(101)
    expect(subscriberCount()).toBe(before + 1)
  })

  it('publishes a tick on a private feed', () => {
    const feed = new EventEmitter()
    const prices: number[] = []
    feed.on('tick', (price: number) => prices.push(price))
    feed.emit('tick', 7)
    expect(prices).toEqual([7])
  })

  it.each(symbols)('tracks %s with a 2000-price history', (symbol) => {
    const ticker = createTicker(symbol, 2000)
    publish({ symbol, price: symbol.length })
    expect(ticker.latest()).toBe(symbol.length)
  })
})

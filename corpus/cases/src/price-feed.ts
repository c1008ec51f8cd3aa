import { EventEmitter } from 'node:events'
import { numbers } from './payload.js'

export interface PriceTick {
  symbol: string
  price: number
}

// One feed for the whole process; the listener limit is lifted to silence the warning, not the leak.
const feed = new EventEmitter()
feed.setMaxListeners(0)

export interface Ticker {
  symbol: string
  latest(): number
}

// Each ticker keeps a price history and subscribes for ever: there is no way to unsubscribe.
export function createTicker(symbol: string, historyLength: number): Ticker {
  const history = numbers(historyLength)
  let cursor = 0
  feed.on('tick', (tick: PriceTick) => {
    if (tick.symbol === symbol) history[cursor++ % history.length] = tick.price
  })
  return { symbol, latest: () => history[(cursor + history.length - 1) % history.length] ?? 0 }
}

export function publish(tick: PriceTick): void {
  feed.emit('tick', tick)
}

export function subscriberCount(): number {
  return feed.listenerCount('tick')
}

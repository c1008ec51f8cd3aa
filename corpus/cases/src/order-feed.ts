import { EventEmitter } from 'node:events'

export interface OrderEvent {
  id: number
  total: number
}

const orders = new EventEmitter()

// Subscriptions hand back their own unsubscribe; the tests always call it.
export function watchOrders(handler: (event: OrderEvent) => void): () => void {
  orders.on('order', handler)
  return () => orders.off('order', handler)
}

export function onceOrder(handler: (event: OrderEvent) => void): void {
  orders.once('order', handler)
}

export function placeOrder(event: OrderEvent): void {
  orders.emit('order', event)
}

export function orderWatchers(): number {
  return orders.listenerCount('order')
}

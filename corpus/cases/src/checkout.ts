export interface Cart {
  id: string
  lines: number[]
}

export type Track = (event: string, properties: { cartId: string; lines: number[] }) => void

export interface Checkout {
  submit(cart: Cart): number
}

export function createCheckout(deps: { track: Track }): Checkout {
  return {
    submit(cart) {
      deps.track('checkout.submitted', { cartId: cart.id, lines: cart.lines })
      return cart.lines.length
    },
  }
}

export function cartTotal(prices: number[]): number {
  return prices.reduce((sum, price) => sum + price, 0)
}

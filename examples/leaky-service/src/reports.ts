export interface Order {
  id: string
  customerId: string
  totalCents: number
  createdAtMs: number
}

export interface OrderSummary {
  count: number
  revenueCents: number
  topCustomers: Array<{ customerId: string; totalCents: number }>
}

/** Deterministic fake orders for reports (a small linear congruential generator, so runs repeat). */
export function generateOrders(count: number, seed = 1): Order[] {
  let state = seed >>> 0
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state
  }
  return Array.from({ length: count }, (_, i) => ({
    id: `o${i + 1}`,
    customerId: `c${next() % 5000}`,
    totalCents: 100 + (next() % 50_000),
    createdAtMs: 1_700_000_000_000 + i * 1000,
  }))
}

export function summarizeOrders(orders: readonly Order[], top = 10): OrderSummary {
  const byCustomer = new Map<string, number>()
  let revenueCents = 0
  for (const order of orders) {
    revenueCents += order.totalCents
    byCustomer.set(order.customerId, (byCustomer.get(order.customerId) ?? 0) + order.totalCents)
  }
  const topCustomers = [...byCustomer]
    .map(([customerId, totalCents]) => ({ customerId, totalCents }))
    .sort((a, b) => b.totalCents - a.totalCents || a.customerId.localeCompare(b.customerId))
    .slice(0, top)
  return { count: orders.length, revenueCents, topCustomers }
}

/** The orders as CSV, header first, one line per order. */
export function renderCsv(orders: readonly Order[]): Buffer {
  const lines = ['id,customerId,totalCents,createdAt']
  for (const order of orders) {
    lines.push(`${order.id},${order.customerId},${order.totalCents},${new Date(order.createdAtMs).toISOString()}`)
  }
  return Buffer.from(`${lines.join('\n')}\n`)
}

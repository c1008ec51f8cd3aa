export function describeOrder(order: { id: number; items: number }): string {
  return `order ${order.id}: ${order.items} item${order.items === 1 ? '' : 's'}`
}

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A stand-in for the pricing service the catalog calls: it answers after `latencyMs`, like a real one. */
export async function startUpstream(latencyMs: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const sku = new URL(request.url ?? '/', 'http://upstream').searchParams.get('sku') ?? ''
    setTimeout(() => {
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ sku, priceCents: priceOf(sku) }))
    }, latencyMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export function priceOf(sku: string): number {
  let hash = 0
  for (const char of sku) hash = (hash * 31 + char.charCodeAt(0)) % 10_000
  return 100 + hash
}

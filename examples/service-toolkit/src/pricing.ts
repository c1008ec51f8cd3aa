import { createServer, type Server, type Socket, connect } from 'node:net'
import type { ResourcePoolOptions } from '@qtests/core'

/**
 * The upstream pricing service, a line protocol over TCP: `PRICE <sku>\n` → `<cents>\n`. It stands for
 * any remote dependency the service keeps pooled connections to.
 */
export interface PricingServer {
  port: number
  /** Connections open right now, as the server sees them. */
  openConnections(): number
  close(): Promise<void>
}

export async function startPricingServer(prices: Record<string, number>): Promise<PricingServer> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    let buffered = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const [verb, sku] = buffered.slice(0, end).split(' ')
        buffered = buffered.slice(end + 1)
        const cents = verb === 'PRICE' && sku !== undefined ? prices[sku] : undefined
        socket.write(cents === undefined ? 'ERR unknown\n' : `${cents}\n`)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    openConnections: () => sockets.size,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** One pooled connection to the pricing service, with at most one question in flight. */
export interface PricingConnection {
  socket: Socket
  broken: boolean
  pending: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined
}

/** ResourcePool callbacks for pricing connections: a closed or failed socket is broken and never reused. */
export function pricingConnections(
  port: number,
): Pick<ResourcePoolOptions<PricingConnection>, 'create' | 'destroy' | 'validate'> {
  return {
    create: () =>
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1')
        const connection: PricingConnection = { socket, broken: false, pending: undefined }
        const fail = (error: Error) => {
          connection.broken = true
          connection.pending?.reject(error)
          connection.pending = undefined
        }
        socket.once('connect', () => {
          socket.off('error', reject)
          socket.on('error', fail)
          resolve(connection)
        })
        socket.once('error', reject)
        socket.on('close', () => fail(new Error('pricing connection closed')))
        let buffered = ''
        socket.setEncoding('utf8').on('data', (chunk: string) => {
          buffered += chunk
          const end = buffered.indexOf('\n')
          if (end < 0) return
          const line = buffered.slice(0, end)
          buffered = buffered.slice(end + 1)
          const pending = connection.pending
          connection.pending = undefined
          pending?.resolve(line)
        })
      }),
    destroy: (connection) => {
      connection.socket.destroy()
    },
    validate: (connection) => !connection.broken && !connection.socket.destroyed,
  }
}

/** Asks one connection for a price, in cents; rejects on an unknown SKU or a broken connection. */
export function askPrice(connection: PricingConnection, sku: string): Promise<number> {
  return new Promise((resolve, reject) => {
    if (connection.broken) {
      reject(new Error('pricing connection is broken'))
      return
    }
    connection.pending = {
      resolve: (line) => (line.startsWith('ERR') ? reject(new Error(`pricing: ${line}`)) : resolve(Number(line))),
      reject,
    }
    connection.socket.write(`PRICE ${sku}\n`)
  })
}

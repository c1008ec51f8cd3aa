import http from 'node:http'
import type { AddressInfo } from 'node:net'

const users = new Map(Array.from({ length: 100 }, (_, i) => [String(i + 1), { id: i + 1, name: `user ${i + 1}` }]))

/** A small JSON service: GET /users/:id answers at once, GET /reports waits 30 ms as a slow query would. */
export function createService(): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const user = /^\/users\/(\d+)$/.exec(url.pathname)
    if (req.method === 'GET' && user) {
      const found = users.get(user[1]!)
      res.statusCode = found ? 200 : 404
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(found ?? { error: 'no such user' }))
      return
    }
    if (req.method === 'GET' && url.pathname === '/reports') {
      setTimeout(() => res.end('{"rows":[]}'), 30)
      return
    }
    res.statusCode = 404
    res.end()
  })
}

/** Starts the service on a free port of the loopback interface; resolves to its base URL and a stop function. */
export async function startService(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = createService()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

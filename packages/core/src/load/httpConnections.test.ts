import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Answer, HttpConnections, requestBuffer } from './httpConnections.js'

let server: http.Server
let base: URL
let sockets = 0

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/close') res.setHeader('connection', 'close')
    if (req.url === '/chunked') {
      res.write('first ')
      setTimeout(() => res.end('second'), 5)
      return
    }
    if (req.url === '/never') return
    if (req.url === '/missing') res.statusCode = 404
    res.setHeader('content-length', '5')
    res.end(req.method === 'HEAD' ? undefined : 'hello')
  })
  server.on('connection', () => sockets++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

/** Sends `count` requests one after another and collects the answers. */
async function sendInTurn(path: string, count: number, options: { method?: string; timeoutMs?: number } = {}) {
  const connections = new HttpConnections({
    url: new URL(path, base),
    method: options.method ?? 'GET',
    headers: {},
    body: undefined,
    timeoutMs: options.timeoutMs ?? 5_000,
  })
  const answers: (string | undefined)[] = []
  for (let i = 0; i < count; i++)
    answers.push(await new Promise<string | undefined>((resolve) => connections.send(resolve as Answer)))
  connections.close()
  return answers
}

describe('HttpConnections', () => {
  it('keeps one connection alive for requests sent one after another', async () => {
    sockets = 0
    expect(await sendInTurn('/a', 20)).toEqual(Array(20).fill(undefined))
    expect(sockets).toBe(1)
  })

  it('sends again, on a new connection, when the server closed an idle keep-alive connection', async () => {
    const brief = http.createServer((_req, res) => res.end('ok'))
    brief.keepAliveTimeout = 30
    await new Promise<void>((resolve) => brief.listen(0, '127.0.0.1', resolve))
    const url = new URL(`http://127.0.0.1:${(brief.address() as AddressInfo).port}/`)
    const connections = new HttpConnections({ url, method: 'GET', headers: {}, body: undefined, timeoutMs: 5_000 })
    const one = () => new Promise<string | undefined>((resolve) => connections.send(resolve as Answer))
    const answers = [await one()]
    await new Promise((resolve) => setTimeout(resolve, 150))
    answers.push(await one(), await one())
    connections.close()
    brief.closeAllConnections()
    await new Promise((resolve) => brief.close(resolve))
    expect(answers).toEqual([undefined, undefined, undefined])
  })

  it('opens a new connection when the server closes the last one', async () => {
    sockets = 0
    expect(await sendInTurn('/close', 3)).toEqual([undefined, undefined, undefined])
    expect(sockets).toBe(3)
  })

  it('reads chunked answers and answers to HEAD (a length, no body) to their end', async () => {
    expect(await sendInTurn('/chunked', 3)).toEqual([undefined, undefined, undefined])
    expect(await sendInTurn('/a', 3, { method: 'HEAD' })).toEqual([undefined, undefined, undefined])
  })

  it('reports 4xx and 5xx answers by status, and fails a request without an answer after timeoutMs', async () => {
    expect(await sendInTurn('/missing', 2)).toEqual(['HTTP 404', 'HTTP 404'])
    const started = performance.now()
    expect(await sendInTurn('/never', 1, { timeoutMs: 100 })).toEqual(['timeout (no full answer within 100 ms)'])
    expect(performance.now() - started).toBeGreaterThanOrEqual(100)
  })

  it('sends requests side by side over as many connections', async () => {
    sockets = 0
    const connections = new HttpConnections({
      url: new URL('/a', base),
      method: 'GET',
      headers: {},
      body: undefined,
      timeoutMs: 5_000,
    })
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => new Promise((resolve) => connections.send(resolve as Answer))),
    )
    connections.close()
    expect(answers).toEqual(Array(5).fill(undefined))
    expect(sockets).toBe(5)
  })
})

describe('requestBuffer', () => {
  it('builds the request once: request line, Host unless given, headers, Content-Length of a UTF-8 body', () => {
    const url = new URL('http://127.0.0.1:3000/users?page=2')
    expect(requestBuffer({ url, method: 'GET', headers: {}, body: undefined }).toString('latin1')).toBe(
      'GET /users?page=2 HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n\r\n',
    )
    expect(
      requestBuffer({
        url,
        method: 'POST',
        headers: { host: 'api', 'content-type': 'text/plain' },
        body: 'héllo',
      }).toString('utf8'),
    ).toBe('POST /users?page=2 HTTP/1.1\r\nhost: api\r\ncontent-type: text/plain\r\nContent-Length: 6\r\n\r\nhéllo')
  })
})

import { execFile } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { promisify } from 'node:util'
import { DIST_INDEX, importDist } from '../../test/dist.js'

/** A node:http server in this thread; the load tester sends from worker threads, so they do not share a loop. */
let server: http.Server
let base: string
let requests = 0
let connections = 0
let echoed = ''
const paths = new Map<string, number>()

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++
    paths.set(req.url!, (paths.get(req.url!) ?? 0) + 1)
    if (req.url === '/fail') res.statusCode = 503
    if (req.method === 'POST') {
      let body = ''
      req.on('data', (chunk) => {
        body += chunk
      })
      req.on('end', () => {
        echoed = `${req.method} ${req.headers['x-test']}:${body}`
        res.end()
      })
      return
    }
    res.end('ok')
  })
  server.on('connection', () => connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

const reset = () => {
  requests = 0
  connections = 0
  paths.clear()
}

describe('LoadTester with a URL target', () => {
  it('sends exactly the request count over keep-alive connections, at most its concurrency of them', async () => {
    const { LoadTester } = await importDist()
    reset()
    const result = await new LoadTester({
      target: `${base}/users?page=2`,
      requests: 400,
      concurrency: 4,
      progress: false,
    }).run()
    expect(result.requests).toBe(400)
    expect(requests).toBe(400)
    expect(paths.get('/users?page=2')).toBe(400)
    expect(connections).toBeLessThanOrEqual(4)
    expect(result.errors).toBe(0)
    expect(result.threads).toBe(1)
    expect(result.stoppedBy).toBe('requests')
    expect(result.latencyMs.p50).toBeGreaterThan(0)
  })

  it('counts HTTP errors by status, and refused connections by code', async () => {
    const { LoadTester } = await importDist()
    const failing = await new LoadTester({
      target: `${base}/fail`,
      requests: 20,
      concurrency: 2,
      progress: false,
    }).run()
    expect(failing.errors).toBe(20)
    expect(failing.errorMessages).toEqual([{ message: 'HTTP 503', count: 20 }])

    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const refused = await new LoadTester({
      target: `http://127.0.0.1:${port}/`,
      requests: 5,
      concurrency: 1,
      progress: false,
    }).run()
    expect(refused.errorMessages).toEqual([{ message: 'ECONNREFUSED', count: 5 }])
  })

  it('sends the method, headers and body it is given', async () => {
    const { LoadTester } = await importDist()
    reset()
    const result = await new LoadTester({
      target: `${base}/echo`,
      requests: 10,
      request: { method: 'post', headers: { 'x-test': 'yes', 'content-type': 'text/plain' }, body: 'hello' },
      progress: false,
    }).run()
    expect(result.errors).toBe(0)
    expect(paths.get('/echo')).toBe(10)
    expect(echoed).toBe('POST yes:hello')
  })

  it('splits the load over fixed worker threads and adds up their results', async () => {
    const { LoadTester } = await importDist()
    reset()
    const result = await new LoadTester({
      target: `${base}/`,
      requests: 600,
      concurrency: 6,
      threads: 3,
      progress: false,
    }).run()
    expect(result.threads).toBe(3)
    expect(result.requests).toBe(600)
    expect(requests).toBe(600)
  })

  it('open model: the arrival rate over the duration, latency from when each request was due', async () => {
    const { LoadTester } = await importDist()
    reset()
    const result = await new LoadTester({ target: `${base}/`, rate: 200, durationMs: 1000, progress: false }).run()
    // 200 were due; a busy machine may leave some unsent (counted), never send more.
    expect(result.requests + result.unsent).toBeLessThanOrEqual(201)
    expect(result.requests + result.unsent).toBeGreaterThanOrEqual(199)
    expect(requests).toBe(result.requests)
    expect(result.settings.rate).toBe(200)
    // Added up from the sending thread's own histogram.
    expect(result.sendLagMs).not.toBeNull()
    expect(result.sendLagMs!.p50).toBeLessThanOrEqual(result.latencyMs.p50)
    // the worker threads' latencies from the send reach the result too
    expect(result.fromSendMs).not.toBeNull()
    expect(result.fromSendMs!.p50).toBeGreaterThan(0)
    expect(result.fromSendMs!.p50).toBeLessThanOrEqual(result.latencyMs.p50 + 0.01)
    expect(result.timeline.length).toBeGreaterThanOrEqual(1)
  })
})

describe('LoadTester with a URL target, started from a command line', () => {
  it('sends from its threads whatever flags the caller was started with', async () => {
    reset()
    const script = `import { LoadTester } from ${JSON.stringify(DIST_INDEX)}
const result = await new LoadTester({ target: '${base}/', requests: 20, progress: false }).run()
process.stdout.write(String(result.requests))`
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script])
    expect(stdout).toBe('20')
    expect(requests).toBe(20)
  })
})

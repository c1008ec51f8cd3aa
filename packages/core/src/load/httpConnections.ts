// Worker side of a URL load test: keep-alive HTTP/1.1 connections, one request at a time on each.
//
// Why not undici's Pool or node:http's agent: measured here against a node:http hello world (the CPU time of the
// client process per request), undici cost 41–57 µs, autocannon 26–33 µs, and a socket writing one prebuilt
// request buffer and parsing the answer with http-parser-js (autocannon's parser) 17–22 µs. With the target on
// the same 2 cores, the client's CPU per request decides the requests per second it can drive.
import { createRequire } from 'node:module'
import net from 'node:net'
import tls from 'node:tls'

// http-parser-js is CommonJS with its constructor on a property.
const { HTTPParser } = createRequire(import.meta.url)('http-parser-js') as typeof import('http-parser-js')

export interface HttpRequestShape {
  url: URL
  method: string
  headers: Record<string, string>
  body: string | undefined
  /** A request without a full answer after this long fails, and its connection is closed. */
  timeoutMs: number
}

/** Calls `done(undefined)` on a 1xx–3xx answer, `done('HTTP 503')` on a 4xx/5xx one, `done(code or message)` on a failure. */
export type Answer = (error: string | undefined) => void

const SWEEP_EVERY_MS = 250

/**
 * Sends requests over keep-alive connections, opening one when none is idle (the caller bounds how many are in
 * flight). A connection the server closes, or one that failed, is dropped; the next request opens a new one.
 */
export class HttpConnections {
  readonly #shape: HttpRequestShape
  readonly #request: Buffer
  readonly #idle: Connection[] = []
  readonly #busy = new Set<Connection>()
  readonly #sweeper: NodeJS.Timeout

  constructor(shape: HttpRequestShape) {
    this.#shape = shape
    this.#request = requestBuffer(shape)
    // One coarse timer for every request's timeout: a timer per request would cost more than the request.
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(SWEEP_EVERY_MS, shape.timeoutMs)).unref()
  }

  send(answer: Answer): void {
    const connection =
      this.#idle.pop() ??
      new Connection(
        this.#shape,
        (c) => this.#release(c),
        (retried) => this.send(retried),
      )
    this.#busy.add(connection)
    connection.send(this.#request, answer)
  }

  /** Closes every connection; requests in flight fail with "closed". */
  close(): void {
    clearInterval(this.#sweeper)
    for (const connection of [...this.#idle, ...this.#busy]) connection.destroy('closed')
    this.#idle.length = 0
    this.#busy.clear()
  }

  /** After an answer or a failure: back to the idle list while reusable, out of both lists once closed. */
  #release(connection: Connection): void {
    this.#busy.delete(connection)
    const at = this.#idle.indexOf(connection)
    if (connection.reusable) {
      if (at === -1) this.#idle.push(connection)
    } else if (at !== -1) this.#idle.splice(at, 1)
  }

  #sweep(): void {
    const nowMs = performance.now()
    for (const connection of this.#busy) {
      if (nowMs - connection.sentAtMs > this.#shape.timeoutMs)
        connection.destroy(`timeout (no full answer within ${this.#shape.timeoutMs} ms)`)
    }
  }
}

class Connection {
  readonly #socket: net.Socket
  readonly #release: (connection: Connection) => void
  readonly #retry: (answer: Answer) => void
  readonly #head: boolean
  #answer: Answer | undefined
  #status = 0
  #keepAlive = true
  #closed = false
  #answered = 0
  #answerStarted = false
  sentAtMs = 0

  constructor(shape: HttpRequestShape, release: (connection: Connection) => void, retry: (answer: Answer) => void) {
    const { url } = shape
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    this.#socket =
      url.protocol === 'https:'
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host })
        : net.connect(port, host)
    this.#socket.setNoDelay(true)
    this.#release = release
    this.#retry = retry
    this.#head = shape.method === 'HEAD'
    const parser = new HTTPParser(HTTPParser.RESPONSE)
    parser[HTTPParser.kOnHeadersComplete] = (info) => {
      this.#status = info.statusCode
      this.#keepAlive = info.shouldKeepAlive
      // An answer to HEAD has no body whatever its content-length says.
      return this.#head ? 1 : 0
    }
    parser[HTTPParser.kOnBody] = () => {}
    parser[HTTPParser.kOnMessageComplete] = () => this.#complete()
    this.#socket.on('data', (chunk: Buffer) => {
      this.#answerStarted = true
      const parsed = parser.execute(chunk)
      if (parsed instanceof Error) this.destroy(`bad HTTP answer: ${parsed.message}`)
    })
    this.#socket.on('error', (error: NodeJS.ErrnoException) => this.destroy(error.code ?? error.message))
    this.#socket.on('close', () => this.destroy('connection closed before the answer'))
  }

  /** Idle and still open after its last answer. */
  get reusable(): boolean {
    return !this.#closed && this.#keepAlive
  }

  send(request: Buffer, answer: Answer): void {
    this.#answer = answer
    this.#status = 0
    this.#answerStarted = false
    this.sentAtMs = performance.now()
    this.#socket.write(request)
  }

  /**
   * Closes the connection for good and fails the request in flight, if any, with `reason` — or sends it again on
   * another connection when this one had answered before and closed before any byte of this answer: a server
   * closing an idle keep-alive connection just as the request went out (what undici retries too).
   */
  destroy(reason: string): void {
    if (!this.#closed) {
      this.#closed = true
      this.#socket.destroy()
    }
    const answer = this.#answer
    this.#answer = undefined
    this.#release(this)
    if (answer === undefined) return
    if (this.#answered > 0 && !this.#answerStarted && !reason.startsWith('timeout')) this.#retry(answer)
    else answer(reason)
  }

  #complete(): void {
    const answer = this.#answer
    this.#answer = undefined
    this.#answered++
    if (!this.#keepAlive) {
      this.#closed = true
      this.#socket.destroy()
    }
    this.#release(this)
    answer?.(this.#status >= 400 ? `HTTP ${this.#status}` : undefined)
  }
}

/** The request, built once: every request of a run is the same bytes. */
export function requestBuffer(shape: Pick<HttpRequestShape, 'url' | 'method' | 'headers' | 'body'>): Buffer {
  const { url, method, headers, body } = shape
  const names = new Set(Object.keys(headers).map((name) => name.toLowerCase()))
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`]
  if (!names.has('host')) lines.push(`Host: ${url.host}`)
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  const bodyBytes = body === undefined ? undefined : Buffer.from(body, 'utf8')
  if (bodyBytes !== undefined && !names.has('content-length')) lines.push(`Content-Length: ${bodyBytes.length}`)
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1')
  return bodyBytes === undefined ? head : Buffer.concat([head, bodyBytes])
}

import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { RequestHandler } from '../../src/http.js'

export interface FakeResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** Calls `handler` without a socket: a readable stream as the request, a recorder as the response. */
export async function callHandler(
  handler: RequestHandler,
  request: { method: string; url: string; json?: unknown },
): Promise<FakeResponse> {
  const payload = request.json === undefined ? [] : [Buffer.from(JSON.stringify(request.json))]
  const req = Object.assign(Readable.from(payload), {
    method: request.method,
    url: request.url,
    headers: { 'content-type': 'application/json' },
  }) as unknown as IncomingMessage

  const recorded: FakeResponse = { status: 200, headers: {}, body: '' }
  const res = {
    set statusCode(status: number) {
      recorded.status = status
    },
    setHeader(name: string, value: string) {
      recorded.headers[name.toLowerCase()] = value
    },
    end(chunk?: string) {
      recorded.body = chunk ?? ''
    },
  } as unknown as ServerResponse

  await handler(req, res)
  return recorded
}

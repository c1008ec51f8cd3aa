import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AuditTrail, ServiceEvents } from './audit.js'
import type { LruCache } from './cache.js'
import type { EventBus } from './events.js'
import type { SessionStore } from './sessions.js'
import type { User } from './users.js'

/** A request handler for `http.createServer`. Resolves once the response has been sent. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

export interface HandlerDeps {
  bus: EventBus<ServiceEvents>
  audit: AuditTrail
  users: LruCache<string, User>
  sessions: SessionStore
  loadUser: (id: string) => Promise<User | undefined>
}

export interface OrderRequest {
  customerId: string
  items: Array<{ sku: string; quantity: number; priceCents: number }>
  note?: string
}

/** Largest request body accepted, in bytes. */
export const maxBodyBytes = 1024 * 1024

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/**
 * The service's routes:
 * `GET /health`, `GET /users/:id`, `POST /sessions`, `DELETE /sessions/:id`, `POST /orders`.
 */
export function createHandler(deps: HandlerDeps): RequestHandler {
  return async (req, res) => {
    try {
      const { status, body } = await route(deps, req)
      send(res, status, body)
    } catch (error) {
      if (error instanceof HttpError) send(res, error.status, { error: error.message })
      else send(res, 500, { error: 'internal error' })
    }
  }
}

async function route(deps: HandlerDeps, req: IncomingMessage): Promise<{ status: number; body?: unknown }> {
  const method = req.method ?? 'GET'
  const path = new URL(req.url ?? '/', 'http://localhost').pathname
  const [, resource, id] = path.split('/')

  if (method === 'GET' && path === '/health') return { status: 200, body: { status: 'ok' } }

  if (method === 'GET' && resource === 'users' && id) {
    let user = deps.users.get(id)
    if (!user) {
      user = await deps.loadUser(id)
      if (!user) throw new HttpError(404, `no user ${id}`)
      deps.users.set(id, user)
    }
    return { status: 200, body: user }
  }

  if (method === 'POST' && path === '/sessions') {
    const { userId } = parseJson(await readBody(req)) as { userId?: unknown }
    if (typeof userId !== 'string') throw new HttpError(400, 'userId must be a string')
    const session = deps.sessions.create(userId)
    return { status: 201, body: { id: session.id, expiresAtMs: session.expiresAtMs } }
  }

  if (method === 'DELETE' && resource === 'sessions' && id) {
    return deps.sessions.destroy(id) ? { status: 204 } : { status: 404, body: { error: `no session ${id}` } }
  }

  if (method === 'POST' && path === '/orders') {
    const raw = await readBody(req)
    const order = validateOrder(parseJson(raw))
    const id = randomUUID()
    const total = order.items.reduce((sum, item) => sum + item.quantity * item.priceCents, 0)
    deps.audit.record({ method, path, body: raw, receivedAtMs: Date.now() })
    deps.bus.emit('order:created', { id, total })
    return { status: 201, body: { id, total } }
  }

  throw new HttpError(404, `no route ${method} ${path}`)
}

function validateOrder(value: unknown): OrderRequest {
  const order = value as Partial<OrderRequest> | null
  if (typeof order?.customerId !== 'string') throw new HttpError(400, 'customerId must be a string')
  if (!Array.isArray(order.items) || order.items.length === 0)
    throw new HttpError(400, 'an order needs at least one item')
  for (const item of order.items) {
    if (!Number.isInteger(item?.quantity) || item.quantity < 1)
      throw new HttpError(400, `bad quantity for ${item?.sku}`)
  }
  return order as OrderRequest
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    bytes += buffer.length
    if (bytes > maxBodyBytes) throw new HttpError(413, `body larger than ${maxBodyBytes} bytes`)
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'body is not valid JSON')
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status
  if (body === undefined) {
    res.end()
    return
  }
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify(body))
}

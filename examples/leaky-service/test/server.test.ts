import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../src/app.js'

// A real server on a free loopback port, started once and closed after the file.
const service = createService({ userCacheEntries: 50 })
let server: Server
let baseUrl: string

beforeAll(async () => {
  server = createServer((req, res) => void service.handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
})

describe('http server', () => {
  it('answers the health check', async () => {
    const res = await fetch(`${baseUrl}/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it.each(['u1', 'u2', 'u3', 'u4', 'u5'])('returns user %s', async (id) => {
    const res = await fetch(`${baseUrl}/users/${id}`)
    expect(res.status).toBe(200)
    expect((await res.json()).id).toBe(id)
  })

  it('answers 404 for an unknown user', async () => {
    const res = await fetch(`${baseUrl}/users/nobody`)
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: 'no user nobody' })
  })

  it('creates and deletes a session', async () => {
    const created = await fetch(`${baseUrl}/sessions`, { method: 'POST', body: JSON.stringify({ userId: 'u1' }) })
    expect(created.status).toBe(201)
    const { id } = await created.json()
    const deleted = await fetch(`${baseUrl}/sessions/${id}`, { method: 'DELETE' })
    expect(deleted.status).toBe(204)
    expect(service.sessions.size).toBe(0)
  })

  it('rejects a body that is not JSON', async () => {
    const res = await fetch(`${baseUrl}/orders`, { method: 'POST', body: '{not json' })
    expect(res.status).toBe(400)
  })
})

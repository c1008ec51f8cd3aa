import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { privatePostgres, type TestPostgres, testPostgres } from '../../test/postgres.js'
import { type PgConnection, pgConnections } from '../query/pgConnections.js'
import { QueryGuard } from '../query/QueryGuard.js'
import { ResourcePool } from './ResourcePool.js'

let unique = 0
/** A connection config whose application_name marks this pool's backends in pg_stat_activity. */
const tagged = (url: string) => {
  const applicationName = `qtests_pool_${process.pid}_${++unique}`
  return { applicationName, config: { connectionString: url, application_name: applicationName } }
}

async function backendsOf(admin: pg.Client, applicationName: string): Promise<number[]> {
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid', [
    applicationName,
  ])
  return rows.map((row) => row.pid as number)
}

async function backendPid(connection: PgConnection): Promise<number> {
  return (await connection.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid as number
}

describe('ResourcePool of pg connections on a real PostgreSQL server', () => {
  let server: TestPostgres
  let admin: pg.Client
  beforeAll(async () => {
    server = await testPostgres()
    admin = new pg.Client({ connectionString: server.url })
    // The server's shutdown at the end of the file terminates this idle client's backend.
    admin.on('error', () => {})
    await admin.connect()
  }, 60_000)
  afterAll(async () => {
    await admin?.end()
    await server?.stop()
  })

  it('evicts and replaces a connection whose backend pg_terminate_backend killed; no caller sees it', async () => {
    const { applicationName, config } = tagged(server.url)
    const pool = new ResourcePool({ ...pgConnections(config), min: 2, max: 2 })
    const evicted: string[] = []
    pool.on('evict', (_connection, reason) => evicted.push(reason))
    const [a, b] = [await pool.acquire(), await pool.acquire()]
    const victim = await backendPid(a)
    pool.release(a)
    pool.release(b)
    const { rows } = await admin.query('SELECT pg_terminate_backend($1) AS killed', [victim])
    expect(rows[0]!.killed).toBe(true)
    // Every caller from now on gets a live connection and its query succeeds.
    const seen = await Promise.all(
      Array.from({ length: 6 }, () => pool.use(async (connection) => backendPid(connection))),
    )
    expect(seen).not.toContain(victim)
    expect(evicted).toContain('validation')
    // The replacement for `min` is created in the background.
    await vi.waitFor(() => expect(pool.stats()).toMatchObject({ size: 2, created: 3, evicted: 1 }))
    expect(await backendsOf(admin, applicationName)).not.toContain(victim)
    await pool.drain()
  })

  it('leaves no connection in pg_stat_activity after drain()', async () => {
    const { applicationName, config } = tagged(server.url)
    const pool = new ResourcePool({ ...pgConnections(config), min: 1, max: 4 })
    await Promise.all(
      Array.from({ length: 8 }, () => pool.use((connection) => connection.query('SELECT pg_sleep(0.05)'))),
    )
    expect((await backendsOf(admin, applicationName)).length).toBeGreaterThanOrEqual(1)
    await pool.drain()
    expect(await backendsOf(admin, applicationName)).toEqual([])
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0 })
    expect(pool.stats().created).toBe(pool.stats().destroyed)
  })
})

describe('ResourcePool and QueryGuard across a PostgreSQL restart', () => {
  let server: TestPostgres
  beforeAll(async () => {
    // Always a private server: this test stops and starts it.
    server = await privatePostgres()
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
  })

  it('keeps serving: connections from before the restart are evicted, creates retry until the server is back', async () => {
    const pool = new ResourcePool({
      ...pgConnections(server.url),
      min: 2,
      max: 3,
      createRetryMs: 50,
      createRetryMaxMs: 400,
      acquireTimeoutMs: 30_000,
    })
    const guard = new QueryGuard(pool)
    const createErrors: unknown[] = []
    pool.on('createError', (error) => createErrors.push(error))
    expect((await guard.query('SELECT 1 AS up')).rows).toEqual([{ up: 1 }])
    // Callers that arrive while the server is down wait in the pool: the old connections fail
    // validation, creates fail and back off, and they are served once the server is back.
    let duringRestart: Promise<unknown[]> | undefined
    const restarting = server.restart(() => {
      duringRestart = Promise.all(Array.from({ length: 10 }, (_, i) => guard.query('SELECT $1::int AS i', [i])))
    })
    await restarting
    const results = (await duringRestart!) as Array<{ rows: unknown[] }>
    expect(results.map((result) => result.rows[0])).toEqual(Array.from({ length: 10 }, (_, i) => ({ i })))
    expect(createErrors.length).toBeGreaterThan(0)
    expect((await guard.query('SELECT 2 AS after')).rows).toEqual([{ after: 2 }])
    const stats = pool.stats()
    expect(stats.evicted).toBeGreaterThanOrEqual(2) // the two connections from before the restart
    expect(stats.size).toBe(stats.created - stats.destroyed)
    await pool.drain()
    expect(pool.stats()).toMatchObject({ size: 0 })
  }, 60_000)
})

import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestPostgres, testPostgres } from '../../test/postgres.js'
import { ResourcePool } from '../pool/ResourcePool.js'
import { QueryTimeoutError } from './errors.js'
import { pgConnections } from './pgConnections.js'
import { QueryGuard, type QueryWarning } from './QueryGuard.js'
import type { GuardedClient, RowsResult } from './sessions.js'

/** One backend the guard runs on: how to make a client, how to run plain SQL beside it, how to close. */
interface Backend {
  client: GuardedClient
  /** Plain SQL outside the guard (set-up and checks). */
  sql(text: string, params?: unknown[]): Promise<RowsResult>
  /** Every SQL text the guard sends, in order, with markers the test adds. */
  log: string[]
  close(): Promise<void>
}

let server: TestPostgres
let unique = 0
const name = (base: string) => `${base}_${process.pid}_${++unique}`

/** Wraps a query function so every SQL text sent through it is logged ('cursor' for a pg-cursor submission). */
function logged<T extends object>(target: T, log: string[]): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      const value = Reflect.get(object, key, receiver)
      if (key === 'query' && typeof value === 'function') {
        return (first: unknown, ...rest: unknown[]) => {
          log.push(typeof first === 'string' ? first : 'cursor')
          return (value as (...args: unknown[]) => unknown).call(object, first, ...rest)
        }
      }
      if (key === 'transaction' && typeof value === 'function') {
        return (fn: (tx: object) => Promise<unknown>) =>
          (value as (fn: unknown) => unknown).call(object, (tx: object) => fn(logged(tx, log)))
      }
      if (key === 'connect' && typeof value === 'function') {
        return async () => logged((await (value as () => Promise<object>).call(object)) as object, log)
      }
      return typeof value === 'function' ? value.bind(object) : value
    },
  })
}

const backends: Record<string, () => Promise<Backend>> = {
  PGlite: async () => {
    const db = new PGlite()
    const log: string[] = []
    return { client: logged(db, log), sql: (text, params) => db.query(text, params), log, close: () => db.close() }
  },
  'pg Pool': async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 3 })
    // pg's advice: a Pool without an 'error' listener throws when an idle client's backend goes away
    // (here: the server's shutdown at the end of the file).
    pool.on('error', () => {})
    const log: string[] = []
    return {
      client: logged(pool, log) as never,
      sql: (text, params) => pool.query(text, params),
      log,
      close: () => pool.end(),
    }
  },
  'pg Client': async () => {
    const client = new pg.Client({ connectionString: server.url })
    const admin = new pg.Client({ connectionString: server.url })
    for (const c of [client, admin]) c.on('error', () => {})
    await client.connect()
    await admin.connect()
    const log: string[] = []
    return {
      client: logged(client, log) as never,
      sql: (text, params) => admin.query(text, params),
      log,
      close: async () => {
        await client.end()
        await admin.end()
      },
    }
  },
  'ResourcePool of pg Clients': async () => {
    const pool = new ResourcePool({ ...pgConnections(server.url), max: 3 })
    const admin = new pg.Client({ connectionString: server.url })
    admin.on('error', () => {})
    await admin.connect()
    return {
      client: pool as never,
      sql: (text, params) => admin.query(text, params),
      log: [],
      close: async () => {
        await pool.drain()
        await admin.end()
      },
    }
  },
}

beforeAll(async () => {
  server = await testPostgres()
}, 60_000)
afterAll(async () => {
  await server?.stop()
})

describe.each(Object.keys(backends))('QueryGuard on %s', (backendName) => {
  let backend: Backend
  beforeAll(async () => {
    backend = await backends[backendName]!()
  })
  afterAll(async () => {
    await backend?.close()
  })

  it('gives an expensive statement a longer timeout than a cheap one, from the planner cost', async () => {
    const guard = new QueryGuard(backend.client, { minTimeoutMs: 100, maxTimeoutMs: 60_000 })
    const cheap = await guard.query('SELECT 1 AS one')
    const table = name('wide')
    await backend.sql(`CREATE TABLE ${table} AS SELECT g AS id, 'label-' || g AS label FROM generate_series(1, 5000) g`)
    await backend.sql(`ANALYZE ${table}`)
    const expensive = await guard.query(
      `SELECT a.id FROM ${table} a JOIN ${table} b ON a.label < b.label WHERE a.id < 50`,
      [],
      { maxRows: 10 },
    )
    expect(cheap.rows).toEqual([{ one: 1 }])
    expect(cheap.cost).toBeLessThan(1)
    expect(cheap.timeoutMs).toBe(100)
    expect(expensive.cost).toBeGreaterThan(cheap.cost! * 1000)
    expect(expensive.timeoutMs).toBeGreaterThan(cheap.timeoutMs)
    expect(expensive.timeoutMs).toBe(Math.round(Math.min(60_000, 100 + expensive.cost! * 0.05)))
  }, 30_000)

  it('stops reading at maxRows, says truncated, and the server produced only about that many rows', async () => {
    const guard = new QueryGuard(backend.client, { maxRows: 50, fetchRows: 20 })
    const sequence = name('rows_made')
    await backend.sql(`CREATE SEQUENCE ${sequence}`)
    const result = await guard.query<{ n: number }>(
      `SELECT nextval('${sequence}')::int AS n FROM generate_series(1, 100000)`,
    )
    expect(result.rows).toHaveLength(50)
    expect(result.rows.at(-1)).toEqual({ n: 50 })
    expect(result.truncated).toBe(true)
    // Each row the server produced advanced the sequence: it stopped near the cap, not at 100 000.
    const { rows } = await backend.sql(`SELECT last_value::int AS made FROM ${sequence}`)
    expect(rows[0]!.made).toBeLessThanOrEqual(60)
    const whole = await guard.query('SELECT g FROM generate_series(1, 50) g')
    expect([whole.rows.length, whole.truncated]).toEqual([50, false])
  })

  it('warns when the planner expects more rows than the cap, before any row is fetched', async () => {
    const guard = new QueryGuard(backend.client, { maxRows: 10 })
    const warnings: QueryWarning[] = []
    guard.on('warning', (warning) => {
      warnings.push(warning)
      backend.log.push('<warning>')
    })
    backend.log.length = 0
    const result = await guard.query('SELECT g FROM generate_series(1, 5000) g')
    expect(result).toMatchObject({ estimatedRows: 5000, truncated: true })
    expect(warnings).toEqual([expect.objectContaining({ kind: 'estimateOverCap', estimatedRows: 5000, maxRows: 10 })])
    expect(warnings[0]!.message).toMatch(
      /^QueryGuard: the planner expects 5000 rows, over maxRows \(10\); only 10 will be read/,
    )
    if (backendName !== 'ResourcePool of pg Clients') {
      const explainAt = backend.log.findIndex((sql) => sql.startsWith('EXPLAIN'))
      const warningAt = backend.log.indexOf('<warning>')
      const fetchAt = backend.log.findIndex((sql) => sql === 'cursor' || sql.startsWith('DECLARE'))
      expect(explainAt).toBeGreaterThanOrEqual(0)
      expect(explainAt).toBeLessThan(warningAt)
      expect(warningAt).toBeLessThan(fetchAt)
    }
    // Another statement: one that differs only in literals shares the estimate (see normalizeStatement).
    const small = await guard.query('SELECT g AS few FROM generate_series(1, 5) g')
    expect([small.truncated, warnings.length]).toEqual([false, 1])
  })

  it('explains a statement once per normalised form and keeps its run-time history', async () => {
    const guard = new QueryGuard(backend.client)
    backend.log.length = 0
    for (let i = 0; i < 6; i++) await guard.query(`SELECT ${i} + $1::int AS v`, [i])
    if (backendName !== 'ResourcePool of pg Clients')
      expect(backend.log.filter((sql) => sql.startsWith('EXPLAIN'))).toHaveLength(1)
    const stats = guard.history('SELECT 99 + $1::int AS v')!
    expect(stats).toMatchObject({ runs: 6, timeouts: 0 })
    expect(stats.p50Ms).toBeGreaterThanOrEqual(0)
    expect(stats.p99Ms).toBeGreaterThanOrEqual(stats.p50Ms)
    expect(guard.history('SELECT never_run')).toBeUndefined()
  })

  it('runs statements EXPLAIN refuses (DDL) and writes with RETURNING, and passes server errors through', async () => {
    const guard = new QueryGuard(backend.client, { maxRows: 2, maxTimeoutMs: 5_000 })
    const table = name('items')
    const ddl = await guard.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, label text)`)
    expect(ddl).toMatchObject({ rows: [], truncated: false, cost: null, estimatedRows: null, timeoutMs: 5_000 })
    const inserted = await guard.query(
      `INSERT INTO ${table} (label) SELECT 'x' || g FROM generate_series(1, 3) g RETURNING id`,
    )
    expect([inserted.rows, inserted.truncated]).toEqual([[{ id: 1 }, { id: 2 }], true])
    const { rows } = await backend.sql(`SELECT count(*)::int AS n FROM ${table}`)
    expect(rows[0]!.n).toBe(3)
    await expect(guard.query(`SELECT nope FROM ${table}`)).rejects.toMatchObject({ code: '42703' })
    expect((await guard.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 3 }])
  })
})

describe('QueryGuard on a real PostgreSQL server: timeouts', () => {
  it('has the server cancel a runaway statement at its cost-scaled timeout, and raises the next timeout', async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 2 })
    pool.on('error', () => {})
    try {
      const guard = new QueryGuard(pool, { minTimeoutMs: 200, maxTimeoutMs: 2_000, historyMinSamples: 1 })
      const timeouts: QueryTimeoutError[] = []
      guard.on('timeout', (error) => timeouts.push(error))
      const started = performance.now()
      const error = await guard.query('SELECT pg_sleep(30)').catch((e: unknown) => e)
      const tookMs = performance.now() - started
      expect(error).toBeInstanceOf(QueryTimeoutError)
      expect((error as QueryTimeoutError).timeoutMs).toBe(200)
      expect((error as QueryTimeoutError).message).toMatch(
        /^QueryGuard: the server cancelled the statement at its timeout of 200 ms \(planner cost 0\.01/,
      )
      expect(((error as QueryTimeoutError).cause as { code: string }).code).toBe('57014')
      // Cancelled by the server, well before the 30 s sleep would end.
      expect(tookMs).toBeLessThan(20_000)
      expect(timeouts).toHaveLength(1)
      expect(guard.history('SELECT pg_sleep(30)')).toMatchObject({ runs: 1, timeouts: 1, p99Ms: 200 })
      // The cancelled run counts at its timeout: the next run of the statement gets 3 × 200 ms.
      const next = await guard.query('SELECT pg_sleep(30)').catch((e: unknown) => e)
      expect((next as QueryTimeoutError).timeoutMs).toBe(600)
      // The pool's connections are still good.
      expect((await guard.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }])
    } finally {
      await pool.end()
    }
  }, 60_000)
})

import { Semaphore } from '../concurrency/semaphore.js'
import { ResourcePool } from '../pool/ResourcePool.js'

/** Rows of one result. */
export interface RowsResult {
  rows: Record<string, unknown>[]
}

/** What the guard needs of a `pg` Client (structural: `pg` stays an optional peer). */
export interface PgClientLike {
  query(sql: string, params?: unknown[]): Promise<RowsResult>
  query<C>(cursor: C): C
}

/** What the guard needs of a `pg` Pool. */
export interface PgPoolLike {
  connect(): Promise<PgClientLike & { release(destroy?: boolean | Error): void }>
  totalCount: number
}

/** What the guard needs of a PGlite instance. */
export interface PGliteLike {
  query(sql: string, params?: unknown[]): Promise<RowsResult>
  exec(sql: string): Promise<unknown>
  transaction<T>(fn: (tx: { query(sql: string, params?: unknown[]): Promise<RowsResult> }) => Promise<T>): Promise<T>
}

/** A `ResourcePool` of pg Clients (e.g. made with `pgConnections`), as the guard uses it. */
export interface PooledPgClients {
  acquire(): Promise<PgClientLike>
  release(resource: never, error?: unknown): void
  destroy(resource: never): Promise<void>
}

/** Anything the guard can run statements on. */
export type GuardedClient = PgClientLike | PgPoolLike | PGliteLike | PooledPgClients

/** Rows read in batches; reading stops wherever the guard stops asking. */
export interface RowCursor {
  read(count: number): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

/** One transaction on one connection. */
export interface Transaction {
  query(sql: string, params?: unknown[]): Promise<RowsResult>
  /** `modifies`: the plan writes data (PGlite's DECLARE refuses such statements; they are read whole). */
  cursor(sql: string, params: unknown[], modifies: boolean): Promise<RowCursor>
}

/** Runs `fn` in a transaction (BEGIN … COMMIT, ROLLBACK on a throw) on a connection of its own. */
export type Session = <T>(fn: (tx: Transaction) => Promise<T>) => Promise<T>

interface PgCursorLike {
  read(count: number): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}
type PgCursorClass = new (sql: string, params: unknown[]) => PgCursorLike
let pgCursor: Promise<PgCursorClass> | undefined

function loadPgCursor(): Promise<PgCursorClass> {
  pgCursor ??= import('pg-cursor').then(
    (module) => (module as { default: PgCursorClass }).default,
    (error: unknown) => {
      pgCursor = undefined
      throw new Error('QueryGuard on pg reads rows through pg-cursor: install it (npm install pg-cursor).', {
        cause: error,
      })
    },
  )
  return pgCursor
}

/** A broken connection (no SQLSTATE: the socket closed, the backend was terminated) must not be reused. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code))
    return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03'
  return error instanceof Error
}

// A pg Client runs one statement at a time but queues others: two guarded queries on one Client would
// interleave their BEGINs. One lock per Client keeps each transaction whole.
const clientLocks = new WeakMap<object, Semaphore>()

export function sessionFor(client: GuardedClient): Session {
  if (client instanceof ResourcePool) {
    const pool = client as ResourcePool<PgClientLike>
    return async (fn) => {
      const connection = await pool.acquire()
      try {
        const result = await pgTransaction(connection, fn)
        pool.release(connection)
        return result
      } catch (error) {
        if (isConnectionError(error)) await pool.destroy(connection)
        else pool.release(connection, error)
        throw error
      }
    }
  }
  if (isPgPool(client)) {
    return async (fn) => {
      const connection = await client.connect()
      try {
        const result = await pgTransaction(connection, fn)
        connection.release()
        return result
      } catch (error) {
        connection.release(isConnectionError(error) ? (error as Error) : undefined)
        throw error
      }
    }
  }
  if (isPGlite(client)) {
    return (fn) => client.transaction((tx) => fn(pgliteTransaction(tx)))
  }
  if (typeof (client as PgClientLike).query === 'function') {
    const pgClient = client as PgClientLike
    const lock = clientLocks.get(pgClient) ?? new Semaphore(1)
    clientLocks.set(pgClient, lock)
    return (fn) => lock.run(() => pgTransaction(pgClient, fn))
  }
  throw new RangeError(
    'QueryGuard: client must be a pg Client, a pg Pool, a PGlite instance or a ResourcePool of pg Clients.',
  )
}

function isPgPool(client: GuardedClient): client is PgPoolLike {
  return typeof (client as PgPoolLike).connect === 'function' && typeof (client as PgPoolLike).totalCount === 'number'
}

function isPGlite(client: GuardedClient): client is PGliteLike {
  return typeof (client as PGliteLike).transaction === 'function' && typeof (client as PGliteLike).exec === 'function'
}

async function pgTransaction<T>(client: PgClientLike, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  await client.query('BEGIN')
  let result: T
  try {
    result = await fn({
      query: (sql, params) => client.query(sql, params),
      cursor: async (sql, params) => {
        const Cursor = await loadPgCursor()
        return client.query(new Cursor(sql, params))
      },
    })
  } catch (error) {
    // A dead connection cannot roll back; the caller's error is the one that matters.
    await client.query('ROLLBACK').catch(() => {})
    throw error
  }
  await client.query('COMMIT')
  return result
}

function pgliteTransaction(tx: { query(sql: string, params?: unknown[]): Promise<RowsResult> }): Transaction {
  return {
    query: (sql, params) => tx.query(sql, params),
    cursor: async (sql, params, modifies) => {
      if (modifies) {
        // DECLARE takes only row-returning queries: a statement that writes runs whole, then is cut.
        const { rows } = await tx.query(sql, params)
        let at = 0
        return {
          read: async (count) => {
            const batch = rows.slice(at, at + count)
            at += batch.length
            return batch
          },
          close: async () => {},
        }
      }
      // One name for every cursor: PGlite runs one transaction at a time and the cursor ends with it,
      // and a new name per query would make every DECLARE and FETCH a new statement text.
      const name = 'qtests_guard_cursor'
      await tx.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params)
      return {
        read: async (count) => (await tx.query(`FETCH ${count} FROM ${name}`)).rows,
        close: async () => {
          await tx.query(`CLOSE ${name}`)
        },
      }
    },
  }
}

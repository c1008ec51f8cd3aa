import { EventEmitter } from 'node:events'
import { LRUCache } from 'lru-cache'
import { checkKnownKeys, checkOption, checkOptionsObject, is } from '../validate/options.js'
import { QueryTimeoutError } from './errors.js'
import { normalizeStatement } from './normalizeStatement.js'
import { type GuardedClient, type Session, sessionFor } from './sessions.js'
import { StatementHistory, type StatementStats } from './statementHistory.js'
import { scaleTimeoutMs, type TimeoutPolicy } from './timeoutPolicy.js'

export interface QueryGuardOptions {
  /** Most rows a query returns; reading stops there and the result says `truncated`. Default 10 000. */
  maxRows?: number
  /** Shortest statement_timeout given, ms. Default 1 000: a cheap statement may still wait on a lock. */
  minTimeoutMs?: number
  /** Longest statement_timeout given, ms. Default 30 000. */
  maxTimeoutMs?: number
  /**
   * Timeout per unit of planner cost before a statement has history, ms. Default 0.05: a cost unit (one
   * sequential page read) took ≈ 5 µs here, so this allows ten times the planner's estimate.
   */
  msPerCostUnit?: number
  /** Rows asked for per cursor read. Default 500. */
  fetchRows?: number
  /** Runs per statement kept for percentiles. Default 100. */
  historySize?: number
  /** Runs after which a statement's own p99 × latencyHeadroom sets its timeout instead of the cost. Default 5. */
  historyMinSamples?: number
  /** Factor on a statement's p99 run time. Default 3. */
  latencyHeadroom?: number
  /** Statements whose estimate and history are kept (least recently used dropped). Default 1 000. */
  maxStatements?: number
  /** How long a plan estimate is reused before EXPLAIN runs again (tables grow), ms. Default 300 000. */
  planTtlMs?: number
  /** Clock, ms. Default `performance.now`. */
  now?: () => number
}

export interface QueryResult<Row = Record<string, unknown>> {
  rows: Row[]
  /** More rows existed than `maxRows`; reading stopped there. */
  truncated: boolean
  /** The planner's row estimate (`Plan Rows`), or null when EXPLAIN does not apply (DDL, utility statements). */
  estimatedRows: number | null
  /** The planner's total cost, or null likewise. */
  cost: number | null
  /** The statement_timeout this run had, ms. */
  timeoutMs: number
}

/** A planner estimate above the row cap, reported before any row is fetched. */
export interface QueryWarning {
  kind: 'estimateOverCap'
  sql: string
  estimatedRows: number
  maxRows: number
  message: string
}

export interface QueryGuardEvents {
  warning: [warning: QueryWarning]
  timeout: [error: QueryTimeoutError]
}

interface Estimate {
  cost: number
  rows: number
  /** The plan writes (ModifyTable somewhere in it). */
  modifies: boolean
}

interface StatementEntry {
  /** undefined: not explained yet (or stale); null: EXPLAIN refuses this statement. */
  estimate: Estimate | null | undefined
  estimatedAtMs: number
  history: StatementHistory
}

const OWNER = 'QueryGuard'
const OPTION_KEYS: Record<keyof QueryGuardOptions, true> = {
  maxRows: true,
  minTimeoutMs: true,
  maxTimeoutMs: true,
  msPerCostUnit: true,
  fetchRows: true,
  historySize: true,
  historyMinSamples: true,
  latencyHeadroom: true,
  maxStatements: true,
  planTtlMs: true,
  now: true,
}
const OPTION_NAMES = Object.keys(OPTION_KEYS)
const STATEMENT_TIMEOUT = '57014'

/**
 * Runs PostgreSQL statements (pg Client or Pool, PGlite, or a ResourcePool of pg Clients) with a
 * statement_timeout scaled by what the planner expects (EXPLAIN's total cost, cached per normalised
 * statement) and, once known, by what the statement really takes (its p99); and with a row cap that
 * stops reading at the cap — rows come through a cursor — warning before the first fetch when the
 * planner already expects more rows than the cap. Each statement runs in its own transaction, so the
 * timeout (SET LOCAL) ends with it; commands that refuse a transaction block (VACUUM, CREATE INDEX
 * CONCURRENTLY) cannot go through the guard.
 */
export class QueryGuard extends EventEmitter<QueryGuardEvents> {
  readonly #session: Session
  readonly #maxRows: number
  readonly #fetchRows: number
  readonly #historySize: number
  readonly #planTtlMs: number
  readonly #policy: TimeoutPolicy
  readonly #now: () => number
  readonly #statements: LRUCache<string, StatementEntry>

  constructor(client: GuardedClient, options?: QueryGuardOptions) {
    super()
    const opts = checkOptionsObject(OWNER, options) as QueryGuardOptions
    checkKnownKeys(OWNER, opts, OPTION_NAMES)
    const check = <V>(name: keyof QueryGuardOptions, value: V, ok: (v: unknown) => boolean, allowed: string) =>
      checkOption(OWNER, name, value, ok, allowed)
    this.#session = sessionFor(client)
    this.#maxRows = check('maxRows', opts.maxRows ?? 10_000, is.positiveInteger, 'an integer ≥ 1')
    const minTimeoutMs = check(
      'minTimeoutMs',
      opts.minTimeoutMs ?? 1_000,
      is.positiveInteger,
      'an integer number of ms ≥ 1',
    )
    const maxTimeoutMs = check(
      'maxTimeoutMs',
      opts.maxTimeoutMs ?? 30_000,
      (v) => is.positiveInteger(v) && (v as number) >= minTimeoutMs,
      `an integer number of ms ≥ minTimeoutMs (${minTimeoutMs})`,
    )
    this.#policy = {
      minTimeoutMs,
      maxTimeoutMs,
      msPerCostUnit: check('msPerCostUnit', opts.msPerCostUnit ?? 0.05, is.nonNegative, 'a finite number of ms ≥ 0'),
      historyMinSamples: check('historyMinSamples', opts.historyMinSamples ?? 5, is.positiveInteger, 'an integer ≥ 1'),
      latencyHeadroom: check(
        'latencyHeadroom',
        opts.latencyHeadroom ?? 3,
        (v) => is.positive(v) && (v as number) >= 1,
        'a factor ≥ 1',
      ),
    }
    this.#fetchRows = check('fetchRows', opts.fetchRows ?? 500, is.positiveInteger, 'an integer ≥ 1')
    this.#historySize = check('historySize', opts.historySize ?? 100, is.positiveInteger, 'an integer ≥ 1')
    const maxStatements = check('maxStatements', opts.maxStatements ?? 1_000, is.positiveInteger, 'an integer ≥ 1')
    this.#planTtlMs = check(
      'planTtlMs',
      opts.planTtlMs ?? 300_000,
      is.positiveOrInfinity,
      'a number of ms > 0, or Infinity',
    )
    this.#now = check('now', opts.now ?? (() => performance.now()), is.function, 'a function returning ms')
    this.#statements = new LRUCache({ max: maxStatements })
  }

  /**
   * Runs `sql` with `params` ($1, $2, …). Rejects with `QueryTimeoutError` when the server cancels it at
   * its timeout, and with the server's error otherwise.
   */
  async query<Row = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    options?: { maxRows?: number },
  ): Promise<QueryResult<Row>> {
    if (typeof sql !== 'string' || sql.trim() === '')
      throw new RangeError(`${OWNER}.query: sql must be a non-empty string; got ${JSON.stringify(sql)}.`)
    const maxRows =
      options?.maxRows === undefined
        ? this.#maxRows
        : checkOption(`${OWNER}.query`, 'maxRows', options.maxRows, is.positiveInteger, 'an integer ≥ 1')
    const key = normalizeStatement(sql)
    let entry = this.#statements.get(key)
    if (entry === undefined) {
      entry = { estimate: undefined, estimatedAtMs: 0, history: new StatementHistory(this.#historySize) }
      this.#statements.set(key, entry)
    }
    const statement = entry
    return this.#session(async (tx) => {
      if (statement.estimate === undefined || this.#now() - statement.estimatedAtMs >= this.#planTtlMs) {
        statement.estimate = await explain(tx, sql, params)
        statement.estimatedAtMs = this.#now()
      }
      const estimate = statement.estimate
      if (estimate !== null && estimate.rows > maxRows) {
        this.#warn({
          kind: 'estimateOverCap',
          sql,
          estimatedRows: estimate.rows,
          maxRows,
          message: `QueryGuard: the planner expects ${estimate.rows} rows, over maxRows (${maxRows}); only ${maxRows} will be read. Add a LIMIT or a narrower WHERE: ${sql.slice(0, 200)}`,
        })
      }
      const timeoutMs = scaleTimeoutMs(estimate?.cost ?? null, statement.history, this.#policy)
      await tx.query(`SET LOCAL statement_timeout = ${timeoutMs}`)
      const startMs = this.#now()
      let rows: Row[]
      let truncated: boolean
      try {
        ;({ rows, truncated } = await this.#read<Row>(tx, sql, params, maxRows, estimate))
      } catch (error) {
        if (
          (error as { code?: unknown } | null)?.code === STATEMENT_TIMEOUT &&
          /statement timeout/.test((error as Error).message)
        ) {
          statement.history.record(timeoutMs, true)
          const timeout = new QueryTimeoutError(sql, timeoutMs, estimate?.cost ?? null, error)
          if (this.listenerCount('timeout') > 0) this.emit('timeout', timeout)
          throw timeout
        }
        throw error
      }
      statement.history.record(this.#now() - startMs, false)
      return { rows, truncated, estimatedRows: estimate?.rows ?? null, cost: estimate?.cost ?? null, timeoutMs }
    })
  }

  /** Run-time percentiles and timeouts of a statement (any literal values: the key is normalised), or undefined if never run. */
  history(sql: string): StatementStats | undefined {
    const entry = this.#statements.peek(normalizeStatement(sql))
    return entry === undefined || entry.history.samples === 0 ? undefined : entry.history.stats()
  }

  async #read<Row>(
    tx: Parameters<Parameters<Session>[0]>[0],
    sql: string,
    params: unknown[],
    maxRows: number,
    estimate: Estimate | null,
  ): Promise<{ rows: Row[]; truncated: boolean }> {
    if (estimate === null) {
      const { rows } = await tx.query(sql, params)
      return { rows: rows.slice(0, maxRows) as Row[], truncated: rows.length > maxRows }
    }
    const cursor = await tx.cursor(sql, params, estimate.modifies)
    const rows: Row[] = []
    // One row past the cap tells whether the result was cut.
    for (;;) {
      const wanted = Math.min(this.#fetchRows, maxRows + 1 - rows.length)
      const batch = await cursor.read(wanted)
      for (const row of batch) rows.push(row as Row)
      if (batch.length < wanted || rows.length > maxRows) break
    }
    await cursor.close()
    const truncated = rows.length > maxRows
    if (truncated) rows.length = maxRows
    return { rows, truncated }
  }

  #warn(warning: QueryWarning): void {
    if (this.listenerCount('warning') > 0) this.emit('warning', warning)
    else process.emitWarning(warning.message, 'QueryGuardWarning')
  }
}

/**
 * The planner's estimate, or null when EXPLAIN refuses the statement (DDL, SET, …). A savepoint keeps
 * the transaction usable after such a refusal.
 */
async function explain(
  tx: Parameters<Parameters<Session>[0]>[0],
  sql: string,
  params: unknown[],
): Promise<Estimate | null> {
  await tx.query('SAVEPOINT qtests_explain')
  let plan: unknown
  try {
    const { rows } = await tx.query(`EXPLAIN (FORMAT JSON) ${sql}`, params)
    plan = rows[0]?.['QUERY PLAN']
  } catch {
    await tx.query('ROLLBACK TO SAVEPOINT qtests_explain')
    return null
  }
  await tx.query('RELEASE SAVEPOINT qtests_explain')
  if (typeof plan === 'string') plan = JSON.parse(plan)
  const root = (plan as Array<{ Plan?: PlanNode }> | undefined)?.[0]?.Plan
  if (root === undefined) return null
  return { cost: root['Total Cost'] ?? 0, rows: root['Plan Rows'] ?? 0, modifies: writes(root) }
}

interface PlanNode {
  'Node Type'?: string
  'Total Cost'?: number
  'Plan Rows'?: number
  Plans?: PlanNode[]
}

function writes(node: PlanNode): boolean {
  return node['Node Type'] === 'ModifyTable' || (node.Plans ?? []).some(writes)
}

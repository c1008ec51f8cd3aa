/** The server cancelled a statement at the timeout the guard set for it (SQLSTATE 57014). */
export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError'
  readonly timeoutMs: number
  readonly cost: number | null
  readonly code = '57014'

  constructor(sql: string, timeoutMs: number, cost: number | null, cause: unknown) {
    const what = sql.length > 200 ? `${sql.slice(0, 200)}…` : sql
    super(
      `QueryGuard: the server cancelled the statement at its timeout of ${timeoutMs} ms ` +
        `(planner cost ${cost === null ? 'unknown' : cost}; raise maxTimeoutMs if it may take longer): ${what}`,
      { cause },
    )
    this.timeoutMs = timeoutMs
    this.cost = cost
  }
}

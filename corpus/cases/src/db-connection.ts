import { numbers } from './payload.js'

// Every connection ever opened is kept in a static list for diagnostics; close() does not remove it.
export class DbConnection {
  static instances: DbConnection[] = []

  readonly url: string
  open = true
  private readonly statementCache: number[]

  constructor(url: string, statementCacheSize: number) {
    this.url = url
    this.statementCache = numbers(statementCacheSize)
    DbConnection.instances.push(this)
  }

  query(sql: string): number {
    this.statementCache[sql.length % this.statementCache.length] = sql.length
    return sql.length
  }

  close(): void {
    this.open = false
  }
}

export function parseDbUrl(url: string): { host: string; database: string } {
  const parsed = new URL(url)
  return { host: parsed.hostname, database: parsed.pathname.slice(1) }
}

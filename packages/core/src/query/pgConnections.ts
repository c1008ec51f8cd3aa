import type { ResourcePoolOptions } from '../pool/ResourcePool.js'
import type { PgClientLike } from './sessions.js'

/** A `pg` Client as the pool sees it: the guard's needs plus connect/end and its error event. */
export interface PgConnection extends PgClientLike {
  connect(): Promise<unknown>
  end(): Promise<void>
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown
}

const broken = new WeakSet<object>()

/**
 * `create`, `destroy` and `validate` for a `ResourcePool` of `pg` Clients (`pg` is an optional peer,
 * loaded on first use). A connection whose socket errors or ends (the backend was terminated, the server
 * restarted) is marked broken at once, so validation evicts it without a round trip; otherwise
 * validation runs `SELECT 1`. The 'error' listener also keeps such an error from crashing the process.
 */
export function pgConnections(
  config: string | Record<string, unknown>,
): Pick<ResourcePoolOptions<PgConnection>, 'create' | 'destroy' | 'validate'> {
  return {
    create: async () => {
      const pg = (await import('pg')) as unknown as { default: { Client: new (config: unknown) => PgConnection } }
      const client = new pg.default.Client(typeof config === 'string' ? { connectionString: config } : config)
      client.on('error', () => broken.add(client))
      client.on('end', () => broken.add(client))
      try {
        await client.connect()
      } catch (error) {
        await client.end().catch(() => {})
        throw error
      }
      return client
    },
    destroy: async (client) => {
      await client.end().catch(() => {})
    },
    validate: async (client) => {
      if (broken.has(client)) return false
      await client.query('SELECT 1')
      return true
    },
  }
}

import { type AuditSink, type ServiceEvents, createAuditTrail } from './audit.js'
import { LruCache } from './cache.js'
import { EventBus } from './events.js'
import { createHandler } from './http.js'
import { SessionStore } from './sessions.js'
import { type User, loadUser } from './users.js'

export interface ServiceOptions {
  /** Where audit entries go when the service shuts down. Default: discarded. */
  auditSink?: AuditSink
  /** How many users the read-through cache keeps. Default: 500. */
  userCacheEntries?: number
}

/** Wires the service together. One instance lives as long as the process, like a real server's. */
export function createService(options: ServiceOptions = {}) {
  const bus = new EventBus<ServiceEvents>()
  const users = new LruCache<string, User>(options.userCacheEntries ?? 500)
  const sessions = new SessionStore()
  const audit = createAuditTrail(bus, options.auditSink ?? { write() {} })
  const handler = createHandler({ bus, audit, users, sessions, loadUser })
  return {
    bus,
    users,
    sessions,
    handler,
    shutdown() {
      bus.emit('shutdown', undefined)
    },
  }
}

export type Service = ReturnType<typeof createService>

import type { EventBus } from './events.js'

export interface AuditEntry {
  method: string
  path: string
  /** The raw request body, as received. */
  body: string
  receivedAtMs: number
}

export interface AuditSink {
  write(entry: AuditEntry): void
}

/** Events the service publishes on its bus. */
export interface ServiceEvents extends Record<string, unknown> {
  'order:created': { id: string; total: number }
  /** Emitted once when the service stops: pending work is flushed. */
  shutdown: undefined
}

export interface AuditTrail {
  record(entry: AuditEntry): void
}

/** Keeps an audit entry per write request and hands them to `sink` when the service shuts down. */
export function createAuditTrail(bus: EventBus<ServiceEvents>, sink: AuditSink): AuditTrail {
  return {
    record(entry) {
      // THE LEAK this example exists for: one listener per request, never removed, each one
      // holding the whole request body for as long as the bus lives (the life of the process).
      // A fix: one listener, and a bounded buffer of entries that the flush empties.
      bus.on('shutdown', () => sink.write(entry))
    },
  }
}

import { numbers } from './payload.js'

export interface Session {
  id: string
  latencyWindowSize: number
}

let started = 0

// The interval is unref'd so it never holds the process open, but it is never cleared either:
// the timer list keeps the callback, and the callback keeps the latency window.
export function startHeartbeat(session: Session): void {
  const latencies = numbers(session.latencyWindowSize)
  let next = 0
  setInterval(() => {
    latencies[next++ % latencies.length] = Date.now()
  }, 60_000).unref()
  started++
}

export function heartbeatsStarted(): number {
  return started
}

export function heartbeatLabel(session: Session): string {
  return `heartbeat:${session.id}`
}

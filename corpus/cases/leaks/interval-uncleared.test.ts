import { describe, expect, it } from 'vitest'
import { heartbeatLabel, heartbeatsStarted, startHeartbeat } from '../src/heartbeat.js'

const sessions = Array.from({ length: 12 }, (_, i) => `s${i + 1}`)

describe('interval-uncleared', () => {
  it('starts a heartbeat with a 1500-sample latency window', () => {
    const before = heartbeatsStarted()
    startHeartbeat({ id: 'primary', latencyWindowSize: 1500 })
    expect(heartbeatsStarted()).toBe(before + 1)
  })

  it('labels a heartbeat by session id', () => {
    expect(heartbeatLabel({ id: 'abc', latencyWindowSize: 1 })).toBe('heartbeat:abc')
  })

  it.each(sessions)('starts a heartbeat for session %s with a 2000-sample window', (id) => {
    const before = heartbeatsStarted()
    startHeartbeat({ id, latencyWindowSize: 2000 })
    expect(heartbeatsStarted()).toBe(before + 1)
  })
})

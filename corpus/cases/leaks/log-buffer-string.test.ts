import { describe, expect, it } from 'vitest'
import { text } from '../src/payload.js'
import { loggedLines, logRequest, statusClass } from '../src/request-logger.js'

const bursts = Array.from({ length: 12 }, (_, i) => i + 1)

// Each entry serialises to exactly 1061 characters (61 of JSON around a 1000-char body).
function logOrders(count: number, seed: number): void {
  for (let i = 0; i < count; i++) {
    logRequest({ method: 'POST', path: '/api/orders', status: 201, body: text(1000, seed + i) })
  }
}

describe('log-buffer-string', () => {
  it('logs 8 order requests', () => {
    const before = loggedLines()
    logOrders(8, 0)
    expect(loggedLines()).toBe(before + 8)
  })

  it('classifies a status code', () => {
    expect(statusClass(404)).toBe('4xx')
  })

  it.each(bursts)('logs a burst of 16 requests %i', (burst) => {
    const before = loggedLines()
    logOrders(16, burst)
    expect(loggedLines()).toBe(before + 16)
  })
})

import { describe, expect, it } from 'vitest'
import { auditSize, formatAuditLine, recordAudit } from '../src/audit-trail.js'
import { numbers } from '../src/payload.js'

const orders = Array.from({ length: 12 }, (_, i) => i + 1)

describe('module-array', () => {
  it('records a 5000-value snapshot per checkout', () => {
    const before = auditSize()
    const entry = recordAudit('checkout', numbers(5000, 1))
    expect(entry.snapshot).toHaveLength(5000)
    expect(auditSize()).toBe(before + 1)
  })

  it('records a 1000-value snapshot per login', () => {
    const before = auditSize()
    recordAudit('login', numbers(1000, 2))
    expect(auditSize()).toBe(before + 1)
  })

  it('formats an audit line', () => {
    expect(formatAuditLine('login', 'ada')).toBe('[audit] ada login')
  })

  it.each(orders)('records a 2000-value snapshot for order %i', (order) => {
    const entry = recordAudit(`order-${order}`, numbers(2000, order))
    expect(entry.snapshot[0]).toBe(order)
  })
})

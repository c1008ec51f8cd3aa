import { describe, expect, it } from 'vitest'
import { buildReport } from '../src/report-builder.js'

const months = Array.from({ length: 10 }, (_, i) => i + 1)

describe('large-transient', () => {
  it('builds a report through a 50 MB intermediate table', () => {
    expect(buildReport(50).rows).toBe(50 * 131_072)
  })

  it('builds an empty report', () => {
    expect(buildReport(0)).toEqual({ rows: 0, checksum: 0 })
  })

  it.each(months)('builds the report for month %i through a 4 MB table', () => {
    expect(buildReport(4).checksum).toBe(3)
  })
})

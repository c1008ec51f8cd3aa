import { describe, expect, it } from 'vitest'
import { formatInZone } from '../src/zone-clock.js'

// Each test formats a date in a time zone no earlier test used: the first use of a zone builds and
// keeps its formatter, so a run of the file grows test after test (what measure mode sees), while
// running any one test again adds nothing. Not a leak.
const zones = [
  'Europe/Berlin',
  'America/New_York',
  'Asia/Tokyo',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'Africa/Nairobi',
  'Asia/Kolkata',
  'Pacific/Auckland',
  'America/Anchorage',
  'Europe/Istanbul',
  'Asia/Singapore',
  'America/Mexico_City',
]
const moment = new Date(Date.UTC(2026, 11, 2, 12, 0, 0))

describe('zone-formatters', () => {
  it('formats noon UTC in London', () => {
    expect(formatInZone(moment, 'Europe/London')).toMatch(/12:00:00/)
  })

  it('formats the same instant twice alike', () => {
    expect(formatInZone(moment, 'UTC')).toBe(formatInZone(moment, 'UTC'))
  })

  it.each(zones)('formats the instant in %s', (zone) => {
    expect(formatInZone(moment, zone)).toMatch(/2026/)
  })
})

import { describe, expect, it } from 'vitest'
import { formatBytes, parseBytes } from './bytes.js'

describe('formatBytes', () => {
  it('prints whole bytes below 1 KiB', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1023.4)).toBe('1023 B')
  })

  it('prints powers of 1024 as KiB, MiB and GiB with one decimal', () => {
    expect(formatBytes(1024)).toBe('1.0 KiB')
    expect(formatBytes(49357)).toBe('48.2 KiB')
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MiB')
    expect(formatBytes(3.25 * 1024 ** 3)).toBe('3.3 GiB')
  })

  it('moves to the next unit when rounding would print 1024.0', () => {
    expect(formatBytes(1023.96 * 1024)).toBe('1.0 MiB')
    expect(formatBytes(1023.5)).toBe('1.0 KiB')
  })

  it('keeps the sign of negative values and never prints -0', () => {
    expect(formatBytes(-1536)).toBe('-1.5 KiB')
    expect(formatBytes(-300)).toBe('-300 B')
    expect(formatBytes(-0.2)).toBe('0 B')
  })

  it('passes non-finite values through', () => {
    expect(formatBytes(Number.NaN)).toBe('NaN B')
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('Infinity B')
  })
})

describe('parseBytes', () => {
  it('reads KB, MB, GB (and K, M, G) as powers of 1000, as Vitest reads vmMemoryLimit', () => {
    expect(parseBytes('2GB')).toBe(2e9)
    expect(parseBytes('2g')).toBe(2e9)
    expect(parseBytes('512MB')).toBe(512e6)
    expect(parseBytes('1kb')).toBe(1000)
    expect(parseBytes('1.5 TB')).toBe(1.5e12)
  })

  it('reads KiB, MiB, GiB as powers of 1024, in any case', () => {
    expect(parseBytes('2GiB')).toBe(2 * 1024 ** 3)
    expect(parseBytes('512 mib')).toBe(512 * 1024 ** 2)
    expect(parseBytes('1KiB')).toBe(1024)
  })

  it('reads a bare number or B as bytes', () => {
    expect(parseBytes('300000')).toBe(300_000)
    expect(parseBytes('64 B')).toBe(64)
  })

  it('reads a percentage as a share of the bytes given', () => {
    expect(parseBytes('60%', 1000)).toBe(600)
    expect(parseBytes('100%', 1000)).toBe(1000)
    expect(parseBytes('60%')).toBeUndefined()
    expect(parseBytes('150%', 1000)).toBeUndefined()
  })

  it('refuses what it cannot read, and sizes that are not above zero', () => {
    expect(parseBytes('lots')).toBeUndefined()
    expect(parseBytes('2 gigs')).toBeUndefined()
    expect(parseBytes('0GB')).toBeUndefined()
    expect(parseBytes('-1GB')).toBeUndefined()
  })

  it('reads back what formatBytes prints', () => {
    expect(parseBytes(formatBytes(1.5 * 1024 ** 2))).toBe(1.5 * 1024 ** 2)
  })
})

import { describe, expect, it } from 'vitest'
import { formatBytes } from './bytes.js'

describe('formatBytes', () => {
  it('prints whole bytes below 1 KB', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1023.4)).toBe('1023 B')
  })

  it('uses 1024-based KB, MB and GB with one decimal', () => {
    expect(formatBytes(1024)).toBe('1.0 KB')
    expect(formatBytes(49357)).toBe('48.2 KB')
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MB')
    expect(formatBytes(3.25 * 1024 ** 3)).toBe('3.3 GB')
  })

  it('moves to the next unit when rounding would print 1024.0', () => {
    expect(formatBytes(1023.96 * 1024)).toBe('1.0 MB')
    expect(formatBytes(1023.5)).toBe('1.0 KB')
  })

  it('keeps the sign of negative values and never prints -0', () => {
    expect(formatBytes(-1536)).toBe('-1.5 KB')
    expect(formatBytes(-300)).toBe('-300 B')
    expect(formatBytes(-0.2)).toBe('0 B')
  })

  it('passes non-finite values through', () => {
    expect(formatBytes(Number.NaN)).toBe('NaN B')
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('Infinity B')
  })
})

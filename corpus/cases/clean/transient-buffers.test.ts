import { describe, expect, it } from 'vitest'
import { archiveDigest, encodeRecords } from '../src/archive.js'

const volumes = Array.from({ length: 10 }, (_, i) => i + 1)

describe('transient-buffers', () => {
  it('hashes a 16 MB archive', () => {
    expect(archiveDigest(16 * 1024 * 1024, 1)).toHaveLength(64)
  })

  it('encodes 5000 small records from the buffer pool', () => {
    expect(encodeRecords(5000)).toBeGreaterThan(5000 * 8)
  })

  it.each(volumes)('hashes volume %i through a 2 MB buffer', (volume) => {
    expect(archiveDigest(2 * 1024 * 1024, volume)).toMatch(/^[0-9a-f]{64}$/)
  })
})

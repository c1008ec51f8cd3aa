import { describe, expect, it } from 'vitest'
import { bufferSizeFor, fileKind } from './bufferSize.js'

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB
const plenty = 16 * GiB

describe('bufferSizeFor', () => {
  it('reads a small file in one buffer of its size, rounded up to 4 KiB', () => {
    expect(bufferSizeFor(10_000, 'binary', plenty, 64 * KiB)).toBe(12 * KiB)
    expect(bufferSizeFor(0, 'binary', plenty, 64 * KiB)).toBe(4 * KiB)
    expect(bufferSizeFor(64 * KiB, 'text', plenty, 64 * KiB)).toBe(64 * KiB)
  })

  it('grows with large files up to 1 MiB, 256 KiB for text', () => {
    expect(bufferSizeFor(5 * MiB, 'binary', plenty, 64 * KiB)).toBe(64 * KiB)
    expect(bufferSizeFor(32 * MiB, 'binary', plenty, 64 * KiB)).toBe(512 * KiB)
    expect(bufferSizeFor(GiB, 'binary', plenty, 64 * KiB)).toBe(MiB)
    expect(bufferSizeFor(GiB, 'text', plenty, 64 * KiB)).toBe(256 * KiB)
  })

  it('stays within 1/256 of free memory, and gives an unknown size the default', () => {
    expect(bufferSizeFor(GiB, 'binary', 64 * MiB, 64 * KiB)).toBe(256 * KiB)
    expect(bufferSizeFor(GiB, 'binary', 100 * KiB, 64 * KiB)).toBe(4 * KiB)
    expect(bufferSizeFor(undefined, 'binary', plenty, 64 * KiB)).toBe(64 * KiB)
  })
})

describe('fileKind', () => {
  it('calls parsed text formats text and everything else binary', () => {
    expect(
      ['a/b.JSON', 'x.ndjson', 'log.csv', 'data.gz', 'movie.mp4', 'noext', '.hidden', 'dir.d/file'].map(fileKind),
    ).toEqual(['text', 'text', 'text', 'binary', 'binary', 'binary', 'binary', 'binary'])
  })
})

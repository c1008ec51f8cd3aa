import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { getFileSize, optimalBufferSize, shouldUseStreaming } from './files.js'

const dir = mkdtempSync(join(tmpdir(), 'io-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const file = (name: string, bytes: number) => {
  const path = join(dir, name)
  writeFileSync(path, Buffer.alloc(bytes, 1))
  return path
}

describe('file helpers on real files', () => {
  it('getFileSize reads the size and rejects a missing file with ENOENT', async () => {
    expect(await getFileSize(file('a.bin', 12_345))).toBe(12_345)
    await expect(getFileSize(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('shouldUseStreaming: at or over the threshold, and for a directory or device', async () => {
    const big = file('big.bin', 2 * 1024 * 1024)
    const small = file('small.json', 1000)
    expect(await shouldUseStreaming(big)).toBe(true)
    expect(await shouldUseStreaming(small)).toBe(false)
    expect(await shouldUseStreaming(small, { thresholdBytes: 1000 })).toBe(true)
    expect(await shouldUseStreaming('/dev/zero')).toBe(true)
    await expect(shouldUseStreaming(small, { thresholdByte: 5 } as never)).rejects.toThrow(
      'did you mean "thresholdBytes"?',
    )
  })

  it('optimalBufferSize: the size of a small file, more than the default for a large binary one', async () => {
    expect(await optimalBufferSize(file('tiny.txt', 100))).toBe(4096)
    expect(await optimalBufferSize(file('large.bin', 32 * 1024 * 1024))).toBe(512 * 1024)
    expect(await optimalBufferSize('/dev/zero')).toBe(64 * 1024)
    await expect(optimalBufferSize('/dev/zero', { defaultBytes: 100 })).rejects.toThrow(
      'optimalBufferSize: defaultBytes must be an integer number of bytes ≥ 4096; got 100.',
    )
  })
})

import { createHash } from 'node:crypto'

// Packs an archive into a temporary buffer, hashes it, and keeps only the digest.
export function archiveDigest(sizeBytes: number, fill: number): string {
  const archive = Buffer.alloc(sizeBytes, fill)
  return createHash('sha256').update(archive).digest('hex')
}

// Many small buffers from Node's shared 8 KB allocation pool, all dropped after use.
export function encodeRecords(count: number): number {
  let total = 0
  for (let i = 0; i < count; i++) total += Buffer.from(`record-${i}`, 'utf8').byteLength
  return total
}

import v8 from 'node:v8'

/** A reading of how much memory the process uses against what it may use, bytes. */
export interface MemoryReading {
  usedBytes: number
  budgetBytes: number
}

/**
 * V8's heap_size_limit includes the young generation's reserve (3 × a 16 MiB semi-space on 64-bit
 * Node, unless --max-semi-space-size changes it), which old objects never use: with
 * --max-old-space-size=96 the limit reads 144 MiB and the process dies near 96.
 */
const YOUNG_GENERATION_RESERVE = 48 * 1024 * 1024

/**
 * Reads V8's heap in use plus external memory (Buffers, typed arrays) — ≈ 1 µs, no RSS read — against
 * `budgetBytes`, by default the old-generation limit (heap_size_limit less the young generation).
 */
export function processMemoryReader(budgetBytes?: number): () => MemoryReading {
  const limit = v8.getHeapStatistics().heap_size_limit
  const budget = budgetBytes ?? Math.max(limit / 2, limit - YOUNG_GENERATION_RESERVE)
  return () => {
    const heap = v8.getHeapStatistics()
    return { usedBytes: heap.used_heap_size + heap.external_memory, budgetBytes: budget }
  }
}

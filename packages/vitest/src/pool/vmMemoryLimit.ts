import { parseBytes } from '@qtests/core/format'

/**
 * The memory a vm-pool worker may report after a file before Vitest retires it instead of reusing it for
 * the next file (`vmMemoryLimit`: a reused vm worker keeps growing). Vitest applies the limit only to
 * pools named `vmThreads`/`vmForks`, so once the plugin wraps them under its own name the gated worker has
 * to apply it. The rule is the one Vitest's own parser (`stringToBytes`, 4.1 and 5) applies: a number ≤ 1
 * or a `%` string is a share of memory, a larger number is bytes, and a string may carry a unit, read by
 * `parseBytes` as Vitest reads it (KB, MB, GB in powers of 1000, KiB, MiB, GiB in powers of 1024). Unset,
 * it is 1 / maxWorkers of the memory. Returns null when there is no usable limit (Vitest would throw).
 */
export function vmWorkerMemoryLimit(
  limit: number | string | undefined,
  maxWorkers: number,
  memoryBytes: number,
): number | null {
  const value = limit ?? 1 / Math.max(1, maxWorkers)
  if (typeof value === 'number') return fromNumber(value, memoryBytes)
  // A bare number in a string follows a number's rule: 0.5 is half the memory, not half a byte.
  if (/^\s*\d+(?:\.\d+)?\s*$/.test(value)) return fromNumber(Number(value), memoryBytes)
  const bytes = parseBytes(value, memoryBytes)
  if (bytes === undefined) return null
  return value.trim().endsWith('%') ? Math.floor(bytes) : bytes
}

function fromNumber(value: number, memoryBytes: number): number | null {
  if (!Number.isFinite(value) || value <= 0) return null
  return Math.floor(value <= 1 ? value * memoryBytes : value)
}

/**
 * The memory a vm-pool worker may report after a file before Vitest retires it instead of reusing it for
 * the next file (`vmMemoryLimit`: a reused vm worker keeps growing). Vitest applies the limit only to
 * pools named `vmThreads`/`vmForks`, so once the plugin wraps them under its own name the gated worker has
 * to apply it. The rule is the one Vitest 4.1's own parser (`stringToBytes`, read in its source) applies:
 * a number ≤ 1 or a `%` string is a share of system memory, a larger number is bytes, and a string may
 * carry a unit (`K`/`KB`/`M`/`MB`/`G`/`GB` in powers of 1000, `KiB`/`MiB`/`GiB` in powers of 1024). Unset,
 * it is 1 / maxWorkers of the memory. Returns null when there is no usable limit (Vitest would throw).
 */
export function vmWorkerMemoryLimit(limit: number | string | undefined, maxWorkers: number, memoryBytes: number): number | null {
  const value = limit ?? 1 / Math.max(1, maxWorkers)
  if (typeof value === 'number') return fromNumber(value, memoryBytes)
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z%]*)\s*$/i.exec(value)
  if (!match) return null
  const amount = Number(match[1])
  const unit = match[2]!.toLowerCase()
  if (unit === '') return fromNumber(amount, memoryBytes)
  if (unit === '%') return fromNumber(amount / 100, memoryBytes)
  const scale = UNITS[unit]
  return scale && amount > 0 ? amount * scale : null
}

const UNITS: Record<string, number> = {
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
}

function fromNumber(value: number, memoryBytes: number): number | null {
  if (!Number.isFinite(value) || value <= 0) return null
  return Math.floor(value <= 1 ? value * memoryBytes : value)
}

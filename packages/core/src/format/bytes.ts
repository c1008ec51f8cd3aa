// Byte sizes as people write and read them. One parser and one formatter for the whole project, with the
// units Vitest's own `vmMemoryLimit` uses: KB, MB, GB are powers of 1000, KiB, MiB, GiB powers of 1024.

const PRINTED_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const

/**
 * Human-readable byte count in powers of 1024, labelled as such, with one decimal: 512 → "512 B",
 * 49357 → "48.2 KiB", 1572864 → "1.5 MiB". Negative values keep their sign ("-1.5 KiB"), so it also
 * formats growth rates.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`
  const abs = Math.abs(bytes)
  if (Math.round(abs) === 0) return '0 B'
  const sign = bytes < 0 ? '-' : ''
  if (Math.round(abs) < 1024) return `${sign}${Math.round(abs)} B`
  let value = abs / 1024
  let unit = 0
  // Compare after rounding so 1023.96 KiB becomes "1.0 MiB", not "1024.0 KiB".
  while (unit < PRINTED_UNITS.length - 1 && Math.round(value * 10) / 10 >= 1024) {
    value /= 1024
    unit++
  }
  return `${sign}${value.toFixed(1)} ${PRINTED_UNITS[unit]}`
}

/**
 * Bytes per unit, in any case. K, M, G (with or without B) are powers of 1000 and KiB, MiB, GiB powers of
 * 1024, as Vitest's `stringToBytes` reads `vmMemoryLimit` (4.1 and 5); B and T, TB, TiB are read too.
 */
const UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
}

/**
 * Parses a byte size: '2GB' (2 × 1000³), '1.5 GiB' (1.5 × 1024³), '512mb', '300000' (bytes), or a share
 * like '60%' of `shareOfBytes`. Undefined when malformed, not above zero, or a share above 100% or without
 * `shareOfBytes`.
 */
export function parseBytes(text: string, shareOfBytes?: number): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z%]*)\s*$/i.exec(text)
  if (!match) return undefined
  const amount = Number(match[1])
  if (!(amount > 0)) return undefined
  const unit = match[2]!.toLowerCase()
  if (unit === '') return amount
  if (unit === '%')
    return amount <= 100 && shareOfBytes !== undefined && Number.isFinite(shareOfBytes)
      ? (amount / 100) * shareOfBytes
      : undefined
  const scale = UNIT_BYTES[unit]
  return scale === undefined ? undefined : amount * scale
}

const UNITS = ['KB', 'MB', 'GB', 'TB'] as const

/**
 * Human-readable byte count with 1024-based units and one decimal: 512 → "512 B", 49357 → "48.2 KB",
 * 1572864 → "1.5 MB". Negative values keep their sign ("-1.5 KB"), so it also formats growth rates.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`
  const abs = Math.abs(bytes)
  if (Math.round(abs) === 0) return '0 B'
  const sign = bytes < 0 ? '-' : ''
  if (Math.round(abs) < 1024) return `${sign}${Math.round(abs)} B`
  let value = abs / 1024
  let unit = 0
  // Compare after rounding so 1023.96 KB becomes "1.0 MB", not "1024.0 KB".
  while (unit < UNITS.length - 1 && Math.round(value * 10) / 10 >= 1024) {
    value /= 1024
    unit++
  }
  return `${sign}${value.toFixed(1)} ${UNITS[unit]}`
}

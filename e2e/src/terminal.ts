import { stripVTControlCharacters } from 'node:util'

/**
 * The qtests section of a run's output: from the first line naming qtests after Vitest's
 * summary (its "Duration" line) to the end. Null when there is none.
 */
export function qtestsSection(output: string): string | null {
  const text = stripVTControlCharacters(output)
  const summaryEnd = text.search(/^\s*Duration\s/m)
  if (summaryEnd < 0) return null
  const rest = text.slice(summaryEnd)
  const header = rest.search(/^.*\bqtests\b.*$/im)
  return header < 0 ? null : rest.slice(header)
}

/** A byte amount as a person reads it: "33 KB", "1.2 MiB", "33,040 B", "512 bytes". */
export const bytesPattern = /\d[\d.,]*\s?(B|bytes|kB|KB|KiB|MB|MiB)\b/

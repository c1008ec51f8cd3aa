import { numbers } from './payload.js'

// Builds a large intermediate table (chunks of 128k values = 1 MB each), reduces it to a summary,
// and drops the table before returning.
export function buildReport(megabytes: number): { rows: number; checksum: number } {
  const chunks = Array.from({ length: megabytes }, (_, i) => numbers(131_072, i % 3))
  let checksum = 0
  for (const chunk of chunks) checksum += chunk[chunk.length - 1]!
  return { rows: chunks.length * 131_072, checksum }
}

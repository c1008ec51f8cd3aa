import { numbers } from './payload.js'

let table: number[][] | undefined
let builds = 0

// Built on first use (about 2 MB: 128 rows of 2048 rates) and kept for the life of the process.
export function rateTable(): number[][] {
  if (!table) {
    table = Array.from({ length: 128 }, (_, row) => numbers(2048, row))
    builds++
  }
  return table
}

export function convert(amount: number, fromRow: number, toColumn: number): number {
  const rate = rateTable()[fromRow % 128]?.[toColumn % 2048] ?? 0
  return amount * (rate + 1)
}

export function tableBuilds(): number {
  return builds
}

import { numbers } from './payload.js'

export interface ParcelRequest {
  zone: string
  weightGrams: number
}

export interface Quote {
  zone: string
  rates: number[]
}

// Memoised by a key that contains a request counter, so no lookup ever hits and nothing is evicted.
const memo = new Map<string, Quote>()
let requestCounter = 0

export const RATE_TABLE_LENGTH = 560

export function quoteShipping(request: ParcelRequest): Quote {
  const key = `${request.zone}/${request.weightGrams}/${requestCounter++}`
  const cached = memo.get(key)
  if (cached) return cached
  const quote = { zone: request.zone, rates: numbers(RATE_TABLE_LENGTH, request.weightGrams % 7) }
  memo.set(key, quote)
  return quote
}

export function memoSize(): number {
  return memo.size
}

export function zoneOf(countryCode: string): string {
  return countryCode === 'US' ? 'domestic' : 'international'
}

// Deterministic fixture data with a known heap cost, shared by the cases (stateless on purpose).
// A `new Array(n).fill(int)` is one JSArray (32 B) + one FixedArray (16 B + 8 B/element) on a 64-bit heap.
// A latin1-decoded Buffer is one flat one-byte string (16 B header + 1 B/char, rounded to 8);
// `'x'.repeat(n)` would be a tiny cons-string tree instead, so it is not used.

export function numbers(length: number, value = 0): number[] {
  return new Array<number>(length).fill(value)
}

export function text(length: number, seed = 0): string {
  return Buffer.alloc(length, 97 + (seed % 26)).toString('latin1')
}

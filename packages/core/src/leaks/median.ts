// Order statistics by selection rather than sorting: sorting the 1,225 pairwise slopes of a 50-sample
// series took 55–90 µs here, more than computing them; selecting the few ranks needed is O(n).

/** Median of the values (mean of the middle two for an even count); NaN when empty. Does not mutate. */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN
  return valueAtRank(Float64Array.from(values), (values.length + 1) / 2)
}

/**
 * Value at a 1-based, possibly fractional rank of the values in ascending order, interpolating between
 * neighbours and clamping to the ends. Reorders `values` in place.
 */
export function valueAtRank(values: Float64Array, rank: number): number {
  const last = values.length - 1
  const r = Math.min(Math.max(rank - 1, 0), last)
  const below = Math.floor(r)
  const lo = selectInPlace(values, below)
  if (r === below) return lo
  // After selection everything past `below` is ≥ lo; the next order statistic is their minimum.
  let hi = Number.POSITIVE_INFINITY
  for (let i = below + 1; i <= last; i++) if (values[i]! < hi) hi = values[i]!
  return lo === hi ? lo : lo + (r - below) * (hi - lo)
}

/**
 * Moves the k-th smallest (0-based) value to index k, smaller ones before it and larger ones after,
 * and returns it (Hoare's quickselect with a median-of-three pivot; deterministic). Values must not be NaN.
 */
function selectInPlace(a: Float64Array, k: number): number {
  let left = 0
  let right = a.length - 1
  for (;;) {
    if (right <= left + 1) {
      if (right === left + 1 && a[right]! < a[left]!) swap(a, left, right)
      return a[k]!
    }
    const mid = (left + right) >> 1
    swap(a, mid, left + 1)
    if (a[left]! > a[right]!) swap(a, left, right)
    if (a[left + 1]! > a[right]!) swap(a, left + 1, right)
    if (a[left]! > a[left + 1]!) swap(a, left, left + 1)
    const pivot = a[left + 1]!
    let i = left + 1
    let j = right
    for (;;) {
      do i++
      while (a[i]! < pivot)
      do j--
      while (a[j]! > pivot)
      if (j < i) break
      swap(a, i, j)
    }
    a[left + 1] = a[j]!
    a[j] = pivot
    if (j >= k) right = j - 1
    if (j <= k) left = i
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!
  a[i] = a[j]!
  a[j] = t
}

/**
 * Standard normal CDF, Φ(z).
 *
 * Uses the Chebyshev fit of erfc from Numerical Recipes (relative error < 1.2e-7 everywhere), so
 * tail probabilities such as Φ(-6) keep their relative precision instead of rounding to 0.
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN
  return 0.5 * erfc(-z / Math.SQRT2)
}

function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x))
  const tail =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  return x >= 0 ? tail : 2 - tail
}

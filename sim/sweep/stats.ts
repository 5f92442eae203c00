// Rates over seeds and their confidence intervals. A sweep counts how many of n seeds violate something;
// the Wilson score interval is the honest interval for such a proportion: unlike the normal approximation
// it stays inside [0, 1] and does not collapse to a point when the count is 0 or n, which is exactly the
// case that matters most ("0 violations in 1000 seeds" still means "up to 0.38 %").

/** The two-sided 95 % standard-normal quantile, z = Φ⁻¹(0.975). */
export const Z_95 = 1.959963984540054;

export interface Proportion {
  /** Successes (here: runs that violated something). */
  k: number;
  n: number;
  /** The point estimate k/n (0 when n is 0). */
  p: number;
  /** Lower and upper bound of the interval, in [0, 1]. */
  lo: number;
  hi: number;
}

/**
 * The Wilson score interval for k successes out of n trials (95 % by default).
 * n = 0 carries no information: the interval is the whole of [0, 1].
 */
export function wilson(k: number, n: number, z: number = Z_95): Proportion {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0 || k < 0 || k > n) {
    throw new Error(`wilson(${k}, ${n}): need integers with 0 <= k <= n`);
  }
  if (!(z > 0)) throw new Error(`wilson: z must be positive, got ${z}`);
  if (n === 0) return { k, n, p: 0, lo: 0, hi: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At k = 0 (k = n) the lower (upper) bound is exactly 0 (1); clamp the rounding noise.
  return {
    k,
    n,
    p,
    lo: k === 0 ? 0 : Math.max(0, centre - half),
    hi: k === n ? 1 : Math.min(1, centre + half),
  };
}

/** "12.3 % [10.4, 14.5]" (percentages, one decimal): how the exploratory tables print a rate. */
export function formatProportion(x: Proportion, digits = 1): string {
  const pct = (v: number) => (v * 100).toFixed(digits);
  return `${pct(x.p)} % [${pct(x.lo)}, ${pct(x.hi)}]`;
}

/** formatProportion(wilson(k, n)): the rate of k in n with its 95 % interval. */
export function formatRate(k: number, n: number): string {
  return formatProportion(wilson(k, n));
}

// The Wilson interval against published values: Newcombe (1998), "Two-sided confidence intervals for the
// single proportion: comparison of seven methods", Statistics in Medicine 17, Table I, method 3 (score
// interval without continuity correction), given there to four decimals.
import { describe, expect, it } from 'vitest';
import { formatProportion, wilson } from '../../../sim/sweep/stats.js';

describe('wilson', () => {
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [29, 29, 0.883, 1],
  ])('%i/%i matches Newcombe (1998): [%f, %f]', (k, n, lo, hi) => {
    const w = wilson(k, n);
    expect(w.lo).toBeCloseTo(lo, 4);
    expect(w.hi).toBeCloseTo(hi, 4);
    expect(w.p).toBe(k / n);
  });

  it('gives the textbook bounds for 0/10 and 5/10', () => {
    expect(wilson(0, 10).hi).toBeCloseTo(0.2775, 4);
    const half = wilson(5, 10);
    expect(half.lo).toBeCloseTo(0.2366, 4);
    expect(half.hi).toBeCloseTo(0.7634, 4);
    // Symmetric around 1/2.
    expect(half.lo + half.hi).toBeCloseTo(1, 12);
  });

  it('is exactly 0 at k = 0 and exactly 1 at k = n, and always inside [0, 1]', () => {
    expect(wilson(0, 1000).lo).toBe(0);
    expect(wilson(0, 1000).hi).toBeCloseTo(0.0038, 4);
    expect(wilson(1000, 1000).hi).toBe(1);
    for (let k = 0; k <= 7; k++) {
      const w = wilson(k, 7);
      expect(w.lo).toBeGreaterThanOrEqual(0);
      expect(w.hi).toBeLessThanOrEqual(1);
      expect(w.lo).toBeLessThanOrEqual(w.p);
      expect(w.hi).toBeGreaterThanOrEqual(w.p);
    }
  });

  it('narrows as n grows at a fixed rate', () => {
    const small = wilson(5, 100);
    const large = wilson(50, 1000);
    expect(large.hi - large.lo).toBeLessThan(small.hi - small.lo);
  });

  it('treats n = 0 as no information and rejects impossible counts', () => {
    expect(wilson(0, 0)).toEqual({ k: 0, n: 0, p: 0, lo: 0, hi: 1 });
    expect(() => wilson(3, 2)).toThrow(/wilson\(3, 2\)/);
    expect(() => wilson(-1, 2)).toThrow(/wilson/);
    expect(() => wilson(0.5, 2)).toThrow(/wilson/);
    expect(() => wilson(1, 2, 0)).toThrow(/z must be positive/);
  });

  it('formats as a percentage with its interval', () => {
    expect(formatProportion(wilson(50, 1000))).toBe('5.0 % [3.8, 6.5]');
    expect(formatProportion(wilson(0, 1000), 2)).toBe('0.00 % [0.00, 0.38]');
  });
});

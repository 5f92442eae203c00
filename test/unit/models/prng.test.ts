import { describe, it, expect } from 'vitest';
import { prngNext, prngRange } from '../../../models/prng.js';

function sequence(seed: number, n: number): number[] {
  const out: number[] = [];
  let state = seed;
  for (let i = 0; i < n; i++) {
    const [v, next] = prngNext(state);
    out.push(v);
    state = next;
  }
  return out;
}

describe('prngNext (mulberry32, state in one integer)', () => {
  it('is a pure function of the state', () => {
    expect(prngNext(123)).toEqual(prngNext(123));
    expect(sequence(7, 20)).toEqual(sequence(7, 20));
    expect(sequence(7, 20)).not.toEqual(sequence(8, 20));
  });

  it('returns unsigned 32-bit values and states', () => {
    let state = 0xffff_ffff;
    for (let i = 0; i < 1_000; i++) {
      const [v, next] = prngNext(state);
      expect(Number.isInteger(v) && v >= 0 && v < 2 ** 32).toBe(true);
      expect(Number.isInteger(next) && next >= 0 && next < 2 ** 32).toBe(true);
      state = next;
    }
  });

  // Pinned once from the implementation: node stage delays of every recorded run depend on it.
  it('no-regression snapshot: seed 42, first 5 values', () => {
    expect(sequence(42, 5)).toEqual([2581720956, 1925393290, 3661312704, 2876485805, 750819978]);
  });
});

describe('prngRange', () => {
  it('draws within [lo, hi] inclusive and reaches both ends', () => {
    let state = 42;
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const [v, next] = prngRange(state, 10, 15);
      expect(v).toBeGreaterThanOrEqual(10);
      expect(v).toBeLessThanOrEqual(15);
      seen.add(v);
      state = next;
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15]);
  });

  it('a zero-width (or reversed) range returns lo and does not advance the state', () => {
    expect(prngRange(99, 5_000, 5_000)).toEqual([5_000, 99]);
    expect(prngRange(99, 5_000, 4_000)).toEqual([5_000, 99]);
  });

  it('advances the state exactly like prngNext', () => {
    const [, viaNext] = prngNext(42);
    const [, viaRange] = prngRange(42, 0, 9);
    expect(viaRange).toBe(viaNext);
  });
});

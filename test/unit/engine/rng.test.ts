import { describe, it, expect } from 'vitest';
import { Rng, Stream } from '../../../sim/engine/rng.js';

function draws(stream: Stream, n: number): number[] {
  return Array.from({ length: n }, () => stream.u32());
}

describe('Rng: one seed, named streams (STYLE habit 2)', () => {
  it('the same seed and name give the same sequence', () => {
    expect(draws(new Rng(42).stream('faults'), 50)).toEqual(draws(new Rng(42).stream('faults'), 50));
    expect(draws(new Rng('run-7').stream('network'), 50)).toEqual(
      draws(new Rng('run-7').stream('network'), 50),
    );
  });

  it('stream() returns the same stream object, which keeps its position', () => {
    const rng = new Rng(1);
    const s = rng.stream('timing');
    const first = s.u32();
    expect(rng.stream('timing')).toBe(s);
    const ref = new Rng(1).stream('timing');
    expect(ref.u32()).toBe(first);
    expect(rng.stream('timing').u32()).toBe(ref.u32());
    expect(s.draws).toBe(2);
  });

  it('different names and different seeds give different sequences', () => {
    const a = draws(new Rng(42).stream('faults'), 20);
    expect(draws(new Rng(42).stream('network'), 20)).not.toEqual(a);
    expect(draws(new Rng(43).stream('faults'), 20)).not.toEqual(a);
  });

  it('creating and drawing from an extra stream does not change what another stream draws', () => {
    const alone = new Rng(42);
    const expected = draws(alone.stream('faults'), 30);

    const crowded = new Rng(42);
    // Another stream created first and drawn heavily, then interleaved draws.
    draws(crowded.stream('network'), 1_000);
    const faults = crowded.stream('faults');
    const got: number[] = [];
    for (let i = 0; i < 30; i++) {
      got.push(faults.u32());
      crowded.stream('workload').int(0, 9);
      crowded.stream(`node-${i}`).u32();
    }
    expect(got).toEqual(expected);
  });
});

describe('Stream draws', () => {
  it('int(lo, hi) stays within the inclusive bounds and hits every value', () => {
    const s = new Rng(42).stream('int');
    const counts = new Map<number, number>();
    for (let i = 0; i < 7_000; i++) {
      const v = s.int(-3, 3);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    // Uniform-ish: each of the 7 values expects 1000 hits; a generous band catches a broken reduction.
    for (const c of counts.values()) {
      expect(c).toBeGreaterThan(800);
      expect(c).toBeLessThan(1_200);
    }
  });

  it('int over the full 32-bit span and a one-value span', () => {
    const s = new Rng(5).stream('int');
    for (let i = 0; i < 100; i++) {
      const v = s.int(0, 0xffff_ffff);
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(0xffff_ffff);
    }
    const before = s.draws;
    expect(s.int(9, 9)).toBe(9);
    expect(s.draws).toBe(before); // a one-value span draws nothing
  });

  it('int rejects bad bounds with a message naming the function', () => {
    const s = new Rng(5).stream('int');
    expect(() => s.int(3, 2)).toThrow(/Stream\.int\(3, 2\)/);
    expect(() => s.int(0.5, 2)).toThrow(/Stream\.int/);
    expect(() => s.int(0, 0x1_0000_0000)).toThrow(/exceeds 2\^32/);
  });

  it('chance(0, n) is always false and chance(n, n) always true, without drawing', () => {
    const s = new Rng(42).stream('chance');
    for (let i = 0; i < 100; i++) {
      expect(s.chance(0, 7)).toBe(false);
      expect(s.chance(7, 7)).toBe(true);
    }
    expect(s.draws).toBe(0);
  });

  it('chance(1, 4) is true about a quarter of the time', () => {
    const s = new Rng(42).stream('chance');
    let hits = 0;
    for (let i = 0; i < 4_000; i++) if (s.chance(1, 4)) hits++;
    expect(hits).toBeGreaterThan(850);
    expect(hits).toBeLessThan(1_150);
  });

  it('pick returns every element eventually and rejects an empty array', () => {
    const s = new Rng(42).stream('pick');
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(s.pick(['a', 'b', 'c']));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(() => s.pick([])).toThrow(/stream 'pick'/);
  });

  it('exponentialMs gives whole positive ms with roughly the requested mean', () => {
    const s = new Rng(42).stream('exp');
    let sum = 0;
    for (let i = 0; i < 4_000; i++) {
      const v = s.exponentialMs(1_000);
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(1);
      sum += v;
    }
    expect(sum / 4_000).toBeGreaterThan(900);
    expect(sum / 4_000).toBeLessThan(1_100);
  });
});

describe('Rng no-regression snapshot', () => {
  // Pinned once from the implementation; a change here changes every recorded run's faults.
  it("seed 42, stream 'faults': the first 5 draws", () => {
    const s = new Rng(42).stream('faults');
    expect(draws(s, 5)).toEqual([1030266559, 1273087849, 3651828857, 1891417018, 2519629107]);
    expect(s.draws).toBe(5);
  });

  it("seed 42, stream 'faults': the first 5 int(0, 99)", () => {
    const s = new Rng(42).stream('faults');
    expect(Array.from({ length: 5 }, () => s.int(0, 99))).toEqual([59, 49, 57, 18, 7]);
  });
});

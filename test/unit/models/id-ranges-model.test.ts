// IdRanges (models/id-ranges.ts) against the obvious model, a Set of ids, over random sequences of adds in
// any order, overlapping, adjacent, empty and negative: the same membership and the same size. The first
// mutation run (issue 7) showed the out-of-order path and the empty/negative counts unpinned.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdRanges } from '../../../models/id-ranges.js';

describe('IdRanges is a set of ids', () => {
  it('same membership and size as a Set, whatever the order of the adds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: -3, max: 8 })), {
          maxLength: 12,
        }),
        (adds) => {
          const r = new IdRanges();
          const model = new Set<number>();
          for (const [from, count] of adds) {
            r.add(from, count);
            for (let i = 0; i < count; i++) model.add(from + i);
          }
          expect(r.size).toBe(model.size);
          for (let id = -2; id <= 72; id++) expect(r.has(id)).toBe(model.has(id));
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('a negative or zero count adds nothing, before and after other ranges', () => {
    const r = new IdRanges();
    r.add(5, -3);
    r.add(5, 0);
    expect(r.size).toBe(0);
    expect(r.has(5)).toBe(false);
    r.add(10, 2);
    r.add(20, -5);
    r.add(3, -1);
    expect(r.size).toBe(2);
    expect([9, 10, 11, 12, 20].map((id) => r.has(id))).toEqual([false, true, true, false, false]);
  });

  it('an add before the first range (the out-of-order path) keeps both', () => {
    const r = new IdRanges();
    r.add(10, 2);
    r.add(1, 2);
    expect(r.size).toBe(4);
    expect([0, 1, 2, 3, 10, 11, 12].map((id) => r.has(id))).toEqual([
      false,
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
  });
});

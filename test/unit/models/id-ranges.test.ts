// IdRanges (models/id-ranges.ts) against a plain Set: the etcd model's acknowledged writes depend on it
// answering every id exactly as a Set of single ids would.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdRanges } from '../../../models/id-ranges.js';

describe('IdRanges', () => {
  it('answers has() and size exactly as a Set of the same ids, for ranges added in any order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 20 })), {
          maxLength: 30,
        }),
        (adds) => {
          const r = new IdRanges();
          const s = new Set<number>();
          for (const [from, count] of adds) {
            r.add(from, count);
            for (let i = 0; i < count; i++) s.add(from + i);
            expect(r.size).toBe(s.size);
          }
          for (let id = -1; id <= 222; id++) expect(r.has(id), `id ${id}`).toBe(s.has(id));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps growing runs as one range (the workload case)', () => {
    const r = new IdRanges();
    for (let i = 0; i < 1000; i++) r.add(1 + i * 36, 36);
    expect(r.size).toBe(36_000);
    expect(r.has(36_000)).toBe(true);
    expect(r.has(36_001)).toBe(false);
    expect(r.has(0)).toBe(false);
  });
});

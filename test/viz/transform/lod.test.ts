// Level-of-detail aggregation: wide intervals drawn as they are, narrow ones merged per pixel column with
// the dominant value, never more runs than pixels; write buckets count exactly what the columns hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Interval } from '../../../viz/src/model/intervals.js';
import { finishWrites, newWriteBuilder, pushWrite } from '../../../viz/src/model/writes.js';
import { aggregate, writeBuckets } from '../../../viz/src/transform/lod.js';

const iv = (startMs: number, endMs: number, value: string): Interval => ({ startMs, endMs, value });

describe('aggregate', () => {
  it('keeps intervals wider than a pixel as they are (clipped to the view)', () => {
    const runs = aggregate([iv(0, 50, 'off'), iv(50, 100, 'running')], {
      startMs: 10,
      endMs: 110,
      widthPx: 100,
    });
    expect(runs.map((r) => [r.x0, r.x1, r.value, r.mixed])).toEqual([
      [0, 40, 'off', false],
      [40, 90, 'running', false],
    ]);
  });

  it('merges a crash loop of 1,000 sub-pixel states into one run per pixel, dominant value first', () => {
    // 1,000 alternations over 100 ms on a 10 px view: 100 intervals per pixel.
    const list: Interval[] = [];
    for (let i = 0; i < 1000; i++) list.push(iv(i * 0.1, (i + 1) * 0.1, i % 4 === 0 ? 'running' : 'crash'));
    const runs = aggregate(list, { startMs: 0, endMs: 100, widthPx: 10 });
    expect(runs.length).toBeLessThanOrEqual(10);
    expect(runs.every((r) => r.value === 'crash' && r.mixed)).toBe(true);
    expect(runs[0]!.x0).toBe(0);
    expect(runs[runs.length - 1]!.x1).toBe(10);
  });

  it('property: never more runs than pixels + wide intervals, runs ordered and inside the view', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('a', 'b', 'c')), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.integer({ min: 10, max: 400 }),
        fc.integer({ min: 0, max: 1000 }),
        (parts, widthPx, from) => {
          const list: Interval[] = [];
          let t = 0;
          for (const [d, v] of parts) {
            list.push(iv(t, t + d, v));
            t += d;
          }
          const view = { startMs: from, endMs: Math.max(from + 1, t), widthPx };
          const runs = aggregate(list, view);
          expect(runs.length).toBeLessThanOrEqual(2 * widthPx + 2);
          for (let i = 0; i < runs.length; i++) {
            const r = runs[i]!;
            expect(r.x0).toBeGreaterThanOrEqual(0);
            expect(r.x1).toBeLessThanOrEqual(widthPx + 1e-9);
            expect(r.x1).toBeGreaterThan(r.x0);
            if (i > 0) expect(r.x0).toBeGreaterThanOrEqual(runs[i - 1]!.x1 - 1e-9);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('writeBuckets', () => {
  it('counts acknowledged and failed writes per bucket exactly, as rates per second', () => {
    const b = newWriteBuilder();
    // 10 writes/s for 10 s, the writes of seconds 4..5 failing; then one batched etcd.commit of 50.
    for (let i = 0; i < 100; i++) {
      const t = i * 100;
      const failed = t >= 4000 && t < 6000;
      pushWrite(b, t, failed ? 0 : 1, failed ? 1 : 0, failed ? -1 : i + 1);
    }
    pushWrite(b, 9_999, 50, 0, 500);
    const w = finishWrites(b);
    const buckets = writeBuckets(w, { startMs: 0, endMs: 10_000, widthPx: 10 }, 1);
    expect(buckets).toHaveLength(10);
    expect(buckets.map((x) => x.ok)).toEqual([10, 10, 10, 10, 0, 0, 10, 10, 10, 60]);
    expect(buckets.map((x) => x.failed)).toEqual([0, 0, 0, 0, 10, 10, 0, 0, 0, 0]);
    expect(buckets[0]!.okPerS).toBeCloseTo(10);
    expect(buckets[9]!.index).toBe(500);
    expect(buckets.reduce((a, x) => a + x.ok + x.failed, 0)).toBe(150);
  });
});

// The write columns (viz/src/model/writes.ts) are sized once from the input's size when it is known; the
// rows must not depend on that hint: too small a hint grows, a hint that is far too large is trimmed.
import { describe, expect, test } from 'vitest';
import { buildModel, modelBuilder, type Model } from '../../../viz/src/model/build.js';
import { loadScenarioFile } from '../../../sim/scenario/load.js';
import { simulate } from '../../../sim/simulate.js';
import { WITH_VIOLATION } from '../fixtures.js';

/** The fixture run with one etcd.write line per write (workload.trace: each), so there are many rows. */
function perWriteTrace(): string {
  const s = loadScenarioFile(WITH_VIOLATION);
  const r = simulate({ ...s, workload: { ...s.workload, trace: 'each' } });
  if (r.trace === null) throw new Error('no trace text');
  return r.trace;
}

function model(text: string, hintBytes: number): Model {
  const bytes = new TextEncoder().encode(text);
  const m = modelBuilder('t', hintBytes);
  // Odd chunk sizes, so lines are cut across chunks as a stream cuts them.
  for (let i = 0; i < bytes.length; i += 4093) m.push(bytes.subarray(i, i + 4093));
  const r = m.finish();
  if (!r.ok) throw new Error(r.error.message);
  return r.model;
}

const columns = (m: Model) => ({
  n: m.writes.n,
  tMs: [...m.writes.tMs],
  okCum: [...m.writes.okCum],
  failedCum: [...m.writes.failedCum],
  indexMax: [...m.writes.indexMax],
});

describe('write columns sized from the input size', () => {
  const text = perWriteTrace();
  const exact = buildModel(text, 't');
  if (!exact.ok) throw new Error('fixture did not parse');

  test('the fixture has enough writes to grow the columns past their initial 1,024 rows', () => {
    expect(exact.model.writes.n).toBeGreaterThan(1024);
  });

  test.each([
    ['no hint', 0],
    ['a hint far too small (the columns grow)', 100],
    ['the exact size', new TextEncoder().encode(text).length],
    ['a hint 100 times too large (the columns are trimmed)', text.length * 100],
  ])('%s gives the same rows', (_name, hint) => {
    const m = model(text, hint);
    expect(columns(m)).toEqual(columns(exact.model));
    // Every column is exactly n long, whatever its buffer's size.
    for (const c of [m.writes.tMs, m.writes.okCum, m.writes.failedCum, m.writes.indexMax]) {
      expect(c.length).toBe(m.writes.n);
    }
  });

  test('a wildly over-large hint does not keep a wasteful buffer', () => {
    const m = model(text, text.length * 100);
    expect(m.writes.tMs.buffer.byteLength).toBe(m.writes.n * 8);
  });
});

// Sweep results add up: tallies of any split of the seeds (chunks on workers, shards on machines) give the
// same report as one run over all of them; percentiles are nearest-rank over exact histograms; rates carry
// Wilson intervals; coverage records where faults hit. Runs in-process through runChunk, the worker's task.
import { describe, expect, it } from 'vitest';
import { runChunk } from '../../../sim/sweep/chunk.js';
import { UPGRADE_PHASES } from '../../../sim/sweep/coverage.js';
import { parseSeedRange, parseShard, SeedSpecError, shardSeeds } from '../../../sim/sweep/seeds.js';
import {
  buildReport,
  distribution,
  emptyTally,
  mergeTallies,
  type ReportContext,
  type SweepTally,
} from '../../../sim/sweep/tally.js';

const FILE = 'test/fixtures/sweep-small.yaml';
const range = { first: 1, last: 6 };
const ctx = (count: number): ReportContext => ({
  scenario: 'sweep-small',
  file: FILE,
  range,
  shard: null,
  count,
  invariants: [
    { name: 'quorum', liveness: false },
    { name: 'convergence', liveness: true },
  ],
  faultKinds: ['isolate', 'powerLoss'],
  phases: UPGRADE_PHASES,
});

describe('seed ranges and shards', () => {
  it('parses FIRST..LAST and a bare count', () => {
    expect(parseSeedRange('1..10000')).toEqual({ first: 1, last: 10000 });
    expect(parseSeedRange('50')).toEqual({ first: 1, last: 50 });
    expect(() => parseSeedRange('10..1')).toThrow(SeedSpecError);
    expect(() => parseSeedRange('1..1e9')).toThrow(SeedSpecError);
    expect(() => parseSeedRange('1..100000000')).toThrow(/more than/);
    expect(() => parseShard('4/4')).toThrow(SeedSpecError);
  });

  it('N shards are the range, each seed exactly once', () => {
    const r = { first: 3, last: 1002 };
    for (const n of [1, 2, 3, 7]) {
      const all = Array.from({ length: n }, (_, i) => shardSeeds(r, { index: i, count: n })).flat();
      expect(all.sort((a, b) => a - b)).toEqual(shardSeeds(r, null));
    }
  });
});

describe('tallies', () => {
  it('nearest-rank percentiles over an exact histogram', () => {
    expect(distribution({ 1: 50, 2: 45, 10: 5 })).toEqual({ n: 100, p50: 1, p95: 2, max: 10 });
    expect(distribution({ 1: 50, 2: 44, 10: 6 })).toMatchObject({ p95: 10 });
    expect(distribution({})).toEqual({ n: 0, p50: null, p95: null, max: null });
  });

  it('any split of the seeds gives the same report as all of them at once', () => {
    const whole = runChunk({ file: FILE, seeds: [1, 2, 3, 4, 5, 6] }).tally;
    const parts: SweepTally[] = [[4], [1, 6], [2, 3, 5]].map(
      (seeds) => runChunk({ file: FILE, seeds }).tally,
    );
    const a = buildReport(ctx(6), whole, null);
    const b = buildReport(ctx(6), parts.reduce(mergeTallies, emptyTally()), null);
    const c = buildReport(ctx(6), [...parts].reverse().reduce(mergeTallies, emptyTally()), null);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).toBe(JSON.stringify(a));
    expect(a.runs).toBe(6);
    // The subject injects random power losses and isolations: the coverage matrix must show some.
    expect(a.coverage.cells.length).toBeGreaterThan(0);
    expect(a.coverage.cells.every((cell) => ['isolate', 'powerLoss'].includes(cell.fault))).toBe(true);
    for (const f of a.tally.failures) expect(f.reproduce).toBe(`upgradelab run ${FILE} --seed ${f.seed}`);
  });

  it('rates carry Wilson intervals; safety and liveness apart', () => {
    const t = emptyTally();
    t.runs = 40;
    t.violated = { quorum: 4, convergence: 0 };
    t.safetyRuns = 4;
    const r = buildReport(ctx(40), t, null);
    const q = r.invariants.find((i) => i.invariant === 'quorum')!;
    expect(q.kind).toBe('safety');
    expect(q.rate.p).toBeCloseTo(0.1);
    expect(q.rate.lo).toBeGreaterThan(0.03);
    expect(q.rate.hi).toBeLessThan(0.24);
    expect(r.invariants.find((i) => i.invariant === 'convergence')!.kind).toBe('liveness');
    expect(r.liveness.hi).toBeGreaterThan(0); // 0 of 40 still allows up to ~9 %
  });

  it('records the upgrade phase a fault hit: a power loss during the installer on cp1', () => {
    // Pinned to the scheduled fault below: cp1 is the first node the talosctl policy upgrades (at 2m);
    // its installer runs after pre-checks, cordon and drain (30 s by default), then 60 s of install.
    const r = runChunk({ file: 'test/fixtures/sweep-install-power-loss.yaml', seeds: [1] }).tally;
    expect(Object.keys(r.coverage)).toEqual(['controlplane|install|powerLoss']);
  });
});

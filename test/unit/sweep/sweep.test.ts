// The sweep loop: counts per invariant, safety and liveness apart, a reproduction command per failing
// seed, crashes kept rather than fatal, and per-seed draws that depend on the seed alone.
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../sim/scenario/load.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import { reproduceCommand, seedRange, sweep, sweepStream } from '../../../sim/sweep/sweep.js';

describe('sweep', () => {
  it('counts nothing on a clean scenario', () => {
    const r = sweep(loadScenarioFile('scenarios/default.yaml'), [1, 2]);
    expect(r.runs).toBe(2);
    expect(r.failingRuns).toBe(0);
    expect(r.failures).toEqual([]);
    expect(Object.values(r.violations).every((k) => k === 0)).toBe(true);
    expect(r.checked).toContain('convergence');
  });

  it('separates safety from liveness and names the command that reproduces each failing seed', () => {
    // The `talos` bootloader never reverts a panic before init (F§2): a safety violation (rollback) and,
    // with the rollout halted on mixed versions, a liveness failure (convergence).
    const s = loadScenarioFile('scenarios/exploratory/bootloader-failed-boot.yaml');
    const r = sweep(s, [3]);
    expect(r.violations.rollback).toBe(1);
    expect(r.violations.convergence).toBe(1);
    expect(r.safetyRuns).toBe(1);
    expect(r.livenessRuns).toBe(1);
    expect(r.failures[0]).toMatchObject({
      seed: 3,
      safety: true,
      liveness: true,
      reproduce: 'upgradelab run scenarios/exploratory/bootloader-failed-boot.yaml --seed 3',
    });
    // The summary leads with the safety violation.
    expect(r.failures[0]!.message).toMatch(/^rollback: /);
  });

  it('counts runs without quorum apart from the quorum invariant', () => {
    const s = loadScenarioFile('scenarios/power-loss-costs-quorum.yaml');
    const r = sweep(s, [1]);
    expect(r.noQuorumRuns).toBe(1);
    expect(r.violations.quorum).toBe(1);
  });

  it('keeps a simulator crash with its command and carries on', () => {
    const s = loadScenarioFile('scenarios/default.yaml');
    const broken = (b: Scenario, seed: number): Scenario =>
      seed === 2
        ? { ...b, faults: [{ type: 'powerLoss', atMs: 60_000, node: 'no-such-node', durationMs: 1000 }] }
        : b;
    const r = sweep(s, [1, 2], broken, { reproFile: (seed) => `gen/seed-${seed}.yaml` });
    expect(r.runs).toBe(1);
    expect(r.crashes).toHaveLength(1);
    expect(r.crashes[0]).toMatchObject({ seed: 2, reproduce: 'upgradelab run gen/seed-2.yaml --seed 2' });
    expect(r.crashes[0]!.error).toMatch(/no-such-node/);
  });

  it('reports progress and every run, and rejects seeds the CLI could not take', () => {
    const s = loadScenarioFile('scenarios/default.yaml');
    const progress: string[] = [];
    const seen: number[] = [];
    sweep(s, [4], undefined, {
      onProgress: (d, t) => progress.push(`${d}/${t}`),
      onRun: (run) => seen.push(run.seed),
    });
    expect(progress).toEqual(['1/1']);
    expect(seen).toEqual([4]);
    expect(() => sweep(s, [1.5])).toThrow(/seed 1.5/);
  });
});

describe('sweepStream', () => {
  it('draws the same values for the same seed, other values for another, independent of run streams', () => {
    const a = sweepStream(7);
    const b = sweepStream(7);
    const xs = [a.int(0, 1_000_000), a.int(0, 1_000_000)];
    expect([b.int(0, 1_000_000), b.int(0, 1_000_000)]).toEqual(xs);
    const c = sweepStream(8);
    expect([c.int(0, 1_000_000), c.int(0, 1_000_000)]).not.toEqual(xs);
  });
});

describe('helpers', () => {
  it('seedRange and reproduceCommand', () => {
    expect(seedRange(3)).toEqual([1, 2, 3]);
    expect(seedRange(2, 10)).toEqual([10, 11]);
    expect(() => seedRange(-1)).toThrow(/seedRange/);
    expect(reproduceCommand('a b.yaml', 3)).toBe("upgradelab run 'a b.yaml' --seed 3");
  });
});

// The coverage matrix's columns are the fault kinds a scenario can inject, named as the trace's
// `fault.start` lines name them, so a kind the sweep never hit still shows as a column of dots (issue 8:
// "a researcher sees what the sweep never exercised"). A kind hit but not declared, or a declared name no
// fault ever carries, would make the matrix lie.
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario } from '../../../sim/scenario/load.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import { simulate } from '../../../sim/simulate.js';
import { coverageWatcher, declaredFaultKinds, splitCoverageKey } from '../../../sim/sweep/coverage.js';

/** The fault names a run's `fault.start` lines carry, through the same watcher a sweep uses. */
function hitKinds(s: Scenario, seeds: number[]): Set<string> {
  const out = new Set<string>();
  for (const seed of seeds) {
    const w = coverageWatcher(s);
    simulate(s, { seed, trace: false, checkpoints: false, onEvent: (e) => w.onEvent(e) });
    for (const k of w.cells()) out.add(splitCoverageKey(k).fault);
  }
  return out;
}

describe('declaredFaultKinds', () => {
  it("names a random: block's kinds as its faults are traced, never the block's own fields", () => {
    const s = loadScenarioFile('test/fixtures/sweep-small.yaml');
    expect(declaredFaultKinds(s)).toEqual(['isolate', 'powerLoss']);
  });

  it('names scheduled faults as traced: a partition of one node is an isolate', () => {
    const s = parseScenario(
      `name: scheduled
duration: 30m
liveness: { faultsUntil: 20m, bound: 10m }
cluster: { controlPlanes: 3, workers: 1, version: v1.8.0 }
upgrade: { to: v1.9.0, at: 1m, policy: talosctl }
faults:
  - { at: 2m, type: partition, isolate: cp2, duration: 30s }
  - { at: 3m, type: partition, groups: [[cp1], [cp2, cp3]], duration: 30s }
  - { at: 4m, type: powerLoss, node: w1, duration: 30s }
`,
      'scheduled.yaml',
    );
    expect(declaredFaultKinds(s)).toEqual(['isolate', 'partition', 'powerLoss']);
    // Every kind the run hit is a declared column (the run starts all three faults).
    expect([...hitKinds(s, [1])].sort()).toEqual(['isolate', 'partition', 'powerLoss']);
  });

  it("names a fuzz: block's kinds as the faults drawn from them are traced", () => {
    const s = parseScenario(
      `name: fuzzed
duration: 30m
liveness: { faultsUntil: 20m, bound: 10m }
cluster: { controlPlanes: 3, workers: 1, version: v1.8.0 }
upgrade: { to: v1.9.0, at: 1m, policy: talosctl }
fuzz:
  kinds: [oneWayCut, peerCut, wipeReboot, busyMounts]
`,
      'fuzzed.yaml',
    );
    expect(declaredFaultKinds(s)).toEqual(['busyMounts', 'diskWipe', 'isolate', 'powerLoss']);
  });

  it('declares every kind a random sweep actually hits', () => {
    const s = loadScenarioFile('test/fixtures/sweep-small.yaml');
    const hit = hitKinds(s, [1, 2, 3, 4, 5, 6]);
    expect(hit.size).toBeGreaterThan(0);
    for (const k of hit) expect(declaredFaultKinds(s)).toContain(k);
  });
});

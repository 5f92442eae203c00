// A first property (issue: simulator core). Over random timed schedules of power losses, isolations of a
// single node and failed boots *during the boot sequence* (at most one fault at a time), the talosctl-like
// policy on 5 control planes (talos-1.8) never loses quorum and never leaves a node unbootable. The naive
// policy (no health gate, all control planes at once, with `force` so that the pre-checks' upgrade mutex
// does not refuse the overlapping requests, F§3) fails the same property, and fast-check shrinks
// the failure to a small schedule. Failed boots *before init* are left out on purpose: under the `talos`
// bootloader profile they boot-loop, as FACTS.md section 2 says.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/load.js';
import type { FaultSpec, Scenario } from '../../sim/scenario/types.js';
import { simulate } from '../../sim/simulate.js';

const NODES = ['cp1', 'cp2', 'cp3', 'cp4', 'cp5'] as const;
const START_MS = 5 * 60_000;

type FaultStep = {
  gapMs: number;
  kind: 'powerLoss' | 'isolate' | 'failedBoot';
  node: string;
  durationMs: number;
};

const faultStep: fc.Arbitrary<FaultStep> = fc.record({
  gapMs: fc.integer({ min: 0, max: 5 * 60_000 }),
  kind: fc.constantFrom('powerLoss', 'isolate', 'failedBoot'),
  node: fc.constantFrom(...NODES),
  durationMs: fc.integer({ min: 10_000, max: 5 * 60_000 }),
});

/** Lay the steps out one after another from the start of the upgrade: never two faults at once. */
function schedule(steps: readonly FaultStep[]): FaultSpec[] {
  const out: FaultSpec[] = [];
  let t = START_MS;
  for (const s of steps) {
    t += s.gapMs;
    if (s.kind === 'powerLoss')
      out.push({ type: 'powerLoss', atMs: t, node: s.node, durationMs: s.durationMs });
    else if (s.kind === 'isolate')
      out.push({
        type: 'partition',
        atMs: t,
        groups: [[s.node]],
        oneWay: false,
        ports: 'all',
        durationMs: s.durationMs,
      });
    else out.push({ type: 'failedBoot', atMs: t, node: s.node, version: 'v1.8.0', stage: 'init', times: 1 });
    t += s.durationMs;
  }
  return out;
}

function base(policy: 'talosctl' | 'naive'): Scenario {
  return parseScenario(
    `name: property-${policy}
seed: 1
duration: 75m
liveness: { faultsUntil: 60m, bound: 15m }
profile: talos-1.8
bootloader: talos
cluster: { controlPlanes: 5, workers: 0, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 5m, policy: ${policy === 'naive' ? '{ preset: naive, force: true }' : policy} }
workload: { etcdWritesPerSecond: 1 }
invariants: [quorum, bootable]
checkpointEvery: 75m
`,
    `property-${policy}.yaml`,
  );
}

function safe(policy: 'talosctl' | 'naive') {
  const s = base(policy);
  return fc.property(
    fc.array(faultStep, { maxLength: 4 }),
    fc.integer({ min: 1, max: 1_000_000 }),
    (steps, seed) => {
      const r = simulate({ ...s, faults: schedule(steps) }, { seed, checkpoints: false });
      const bad = r.violations.filter((v) => v.invariant === 'quorum' || v.invariant === 'bootable');
      if (bad.length > 0) {
        throw new Error(`seed=${seed} ${bad[0]!.invariant} at ${bad[0]!.t} ms: ${bad[0]!.message}`);
      }
    },
  );
}

describe('property: upgrade safety under one-at-a-time faults (5 control planes, talos-1.8)', () => {
  it('talosctl-like policy never loses quorum and never leaves a node unbootable', () => {
    fc.assert(safe('talosctl'), { seed: 20261128, numRuns: 100 });
  });

  it('naive policy fails the same property, shrunk to a small schedule', () => {
    const details = fc.check(safe('naive'), { seed: 20261128, numRuns: 40 });
    expect(details.failed).toBe(true);
    const [steps] = details.counterexample!;
    expect(steps.length).toBeLessThanOrEqual(1);
    expect(String(details.errorInstance)).toMatch(/quorum/);
  });
});

// The fault registry: overlapping faults compose, and instantaneous faults earn the quorum excuse until
// the node they hit is Ready again (issue 6 item 6).
import { describe, expect, it } from 'vitest';
import { simulate, type SimulateResult } from '../../../sim/simulate.js';
import { baseYaml, scenario } from '../../helpers/scenario.js';

interface Line {
  kind: string;
  t: number;
  type?: string;
  node?: string;
  state?: string;
  fault?: string;
}

function events(r: SimulateResult): Line[] {
  return r
    .trace!.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line)
    .filter((e) => e.kind === 'event');
}

const QUIET = (tolerate: boolean) => `name: registry
seed: 2
duration: 60m
liveness: { faultsUntil: 45m, bound: 15m }
cluster: { controlPlanes: 3, workers: 0, version: v1.8.0 }
workload: { etcdWritesPerSecond: 1 }
checkpointEvery: 60m
invariants: [quorum]
quorumTolerateFaults: ${tolerate}
`;

const MIN = 60_000;

describe('overlapping faults compose', () => {
  it('a node powered off by two faults stays off until the last one ends', () => {
    const r = simulate(
      scenario(
        QUIET(true) +
          'faults:\n' +
          '  - { at: 10m, type: powerLoss, node: cp1, duration: 5m }\n' +
          '  - { at: 11m, type: powerLoss, node: cp1, duration: 1m }\n',
      ),
    );
    const states = events(r).filter((e) => e.type === 'node.state' && e.node === 'cp1' && e.t >= 10 * MIN);
    expect(states[0]).toMatchObject({ t: 10 * MIN, state: 'off' });
    // The shorter fault ending at 12m does not power it on; the longer one ending at 15m does.
    const back = states.find((e) => e.state !== 'off');
    expect(back?.t).toBe(15 * MIN);
  });

  it('overlapping partitions: a link cut by two faults stays cut until both have healed', () => {
    const r = simulate(
      scenario(
        QUIET(true) +
          'faults:\n' +
          '  - { at: 10m, type: partition, groups: [[cp1], [cp2], [cp3]], duration: 5m }\n' +
          '  - { at: 11m, type: partition, isolate: cp1, duration: 1m }\n',
      ),
    );
    const leaders = events(r).filter((e) => e.type === 'etcd.leader' && e.t >= 10 * MIN);
    // No leader from the three-way cut until it heals at 15m, although the isolation ended at 12m.
    expect(leaders[0]).toMatchObject({ t: 10 * MIN });
    expect((leaders[0] as { leader?: string | null }).leader).toBeNull();
    expect(leaders[1]!.t).toBeGreaterThanOrEqual(15 * MIN);
  });
});

describe('instant faults and the quorum excuse', () => {
  const removeThenPowerLoss =
    'faults:\n' +
    '  - { at: 10m, type: etcdRemoveMember, node: cp1, via: cp2 }\n' +
    '  - { at: 15m, type: powerLoss, node: cp2, duration: 5m }\n';

  it('etcdRemoveMember takes its node out: with cp1 removed and cp2 powered off, the faults exceed etcd tolerance', () => {
    const excused = simulate(scenario(QUIET(true) + removeThenPowerLoss));
    // Quorum really was lost (2 voters left, one of them off) ...
    expect(excused.metrics.timeWithoutQuorumMs).toBeGreaterThanOrEqual(5 * MIN);
    // ... and the two faults together (cp1 removed, cp2 off) exceed the tolerance of 1: excused.
    expect(excused.violations.filter((v) => v.invariant === 'quorum')).toEqual([]);
    // The same run without the excuse is a violation: the invariant can fail here.
    const strict = simulate(scenario(QUIET(false) + removeThenPowerLoss));
    expect(strict.violations.filter((v) => v.invariant === 'quorum').length).toBeGreaterThan(0);
  });

  it('a single power loss on top of nothing is not excused (tolerance 1 is not exceeded)', () => {
    const r = simulate(
      scenario(QUIET(true) + 'faults:\n  - { at: 15m, type: etcdRemoveMember, node: cp1, via: cp2 }\n'),
    );
    // Removing one member of three keeps quorum; nothing to excuse, nothing violated.
    expect(r.metrics.timeWithoutQuorumMs).toBe(0);
    expect(r.violations).toEqual([]);
  });

  it('diskWipe takes its node out until it is Ready again: a wipe of cp1 plus a power loss of cp2 is excused', () => {
    const faults =
      'faults:\n' +
      '  - { at: 10m, type: diskWipe, node: cp1, label: EPHEMERAL }\n' +
      '  - { at: 10m, type: powerLoss, node: cp2, duration: 3m }\n';
    const excused = simulate(scenario(QUIET(true) + faults));
    expect(excused.metrics.timeWithoutQuorumMs).toBeGreaterThan(0);
    expect(excused.violations.filter((v) => v.invariant === 'quorum')).toEqual([]);
    const strict = simulate(scenario(QUIET(false) + faults));
    expect(strict.violations.filter((v) => v.invariant === 'quorum').length).toBeGreaterThan(0);
  });

  it('canary: the excuse does not cover a policy that loses quorum by itself next to one instant fault', () => {
    // The naive policy with `force` (no pre-checks, so no upgrade mutex) upgrades every control plane at
    // once and loses quorum on its own. One wiped worker, or one wiped control plane (1 <= tolerance 1),
    // must not excuse that.
    for (const node of ['w1', 'cp1']) {
      const r = simulate(
        scenario(
          baseYaml({ policy: '{ preset: naive, force: true }' }) +
            `faults:\n  - { at: 4m, type: diskWipe, node: ${node}, label: EPHEMERAL }\n`,
        ),
      );
      expect(
        r.violations.some((v) => v.invariant === 'quorum'),
        `wipe of ${node}`,
      ).toBe(true);
    }
  });
});

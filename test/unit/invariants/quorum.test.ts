// quorum (sim/invariants/quorum.ts): etcd keeps a leader once formed; with tolerateFaults, losing it is
// excused only while the faults alone take out more control planes than the cluster as built tolerates,
// floor((control planes - 1) / 2) (F§4). Judged on hand-set worlds, boundaries included.
import { describe, expect, it } from 'vitest';
import { quorumInvariant } from '../../../sim/invariants/quorum.js';
import { FakeWorld } from '../../helpers/fake-world.js';

const cps = (n: number) => Array.from({ length: n }, (_, i) => `cp${i + 1}`);

function lostQuorum(n: number, down: string[] = [], takenOut: string[] = []): FakeWorld {
  const w = new FakeWorld([...cps(n).map((name) => ({ name })), { name: 'w1' }]);
  w.quorum = false;
  w.members = cps(n).map((name, i) => ({
    id: `m${i + 1}`,
    name,
    learner: false,
    started: !down.includes(name),
  }));
  w.takenOut = new Set(takenOut);
  return w;
}

describe('quorum invariant', () => {
  it('holds while etcd has quorum, whatever the faults', () => {
    const w = lostQuorum(3, ['cp1', 'cp2']);
    w.quorum = true;
    expect(quorumInvariant(false, cps(3)).check(w.env())).toBeNull();
    expect(quorumInvariant(false, cps(3)).name).toBe('quorum');
    expect(quorumInvariant(false, cps(3)).liveness).toBe(false);
  });

  it('reports the voters that are down, and the faults against the tolerance', () => {
    const w = lostQuorum(3, ['cp2', 'cp3'], ['cp3']);
    expect(quorumInvariant(true, cps(3)).check(w.env())).toEqual({
      nodes: ['cp2', 'cp3'],
      message:
        'etcd lost quorum: 1/3 voters started (down: cp2, cp3); faults took out 1 control plane(s), tolerance 1',
    });
  });

  it('a partition with every member started is reported as such, with no node to blame', () => {
    const w = lostQuorum(5);
    expect(quorumInvariant(false, cps(5)).check(w.env())).toEqual({
      nodes: [],
      message:
        'etcd lost quorum: 5/5 voters started (partitioned); faults took out 0 control plane(s), tolerance 2',
    });
  });

  it('learners are not voters', () => {
    const w = lostQuorum(3, ['cp3']);
    w.members[0]!.learner = true;
    expect(quorumInvariant(false, cps(3)).check(w.env())?.message).toMatch(
      /^etcd lost quorum: 1\/2 voters started/,
    );
  });

  // tolerance = floor((n - 1) / 2): n=1 -> 0, 2 -> 0, 3 -> 1, 4 -> 1, 5 -> 2.
  it.each([
    [1, 0],
    [2, 0],
    [3, 1],
    [4, 1],
    [5, 2],
  ])('%i control planes tolerate %i: excused only when the faults take out more', (n, tolerance) => {
    const all = cps(n);
    const atTolerance = lostQuorum(n, all, all.slice(0, tolerance));
    const v = quorumInvariant(true, all).check(atTolerance.env());
    expect(v?.message).toContain(`faults took out ${tolerance} control plane(s), tolerance ${tolerance}`);
    const beyond = lostQuorum(n, all, all.slice(0, tolerance + 1));
    expect(quorumInvariant(true, all).check(beyond.env())).toBeNull();
    // Without tolerateFaults nothing is excused.
    expect(quorumInvariant(false, all).check(beyond.env())).not.toBeNull();
  });

  it('counts only the control planes of the cluster as built among the nodes taken out', () => {
    // w1 taken out is not a control plane; cp9 is not in this cluster.
    const w = lostQuorum(3, ['cp1', 'cp2'], ['cp1', 'w1', 'cp9']);
    const v = quorumInvariant(true, cps(3)).check(w.env());
    expect(v?.message).toContain('faults took out 1 control plane(s), tolerance 1');
  });
});

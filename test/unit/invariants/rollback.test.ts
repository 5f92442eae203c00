// rollback: the bound is a deadline, checked at the deadline itself (a scheduled event), not at whatever
// unrelated event happens to come next (issue 6 item 12; DESIGN.md, invariants: "deadlines are scheduled
// events").
import { describe, expect, it } from 'vitest';
import { rollbackBoundMs } from '../../../sim/invariants/index.js';
import { simulate } from '../../../sim/simulate.js';
import { scenario } from '../../helpers/scenario.js';

interface Line {
  kind: string;
  t: number;
  type?: string;
  node?: string;
}

// A kernel that panics before init on every boot: the `talos` profile does not cover it (F§2), so cp1
// boot-loops on v1.8.0 and never runs again. No workload and no checkpoints: events are sparse.
const LOOP = `name: rollback-deadline
seed: 5
duration: 90m
liveness: { faultsUntil: 80m, bound: 10m }
bootloader: talos
cluster: { controlPlanes: 3, workers: 0, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 5m, policy: talosctl }
workload: { etcdWritesPerSecond: 0 }
checkpointEvery: 90m
invariants: [rollback]
faults:
  - { type: failedBoot, node: cp1, version: v1.8.0, stage: kernel, times: always }
`;

describe('rollback invariant', () => {
  it('reports a node that is not running again exactly when the bound runs out', () => {
    const s = scenario(LOOP);
    const r = simulate(s);
    const lines = r
      .trace!.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const firstFail = lines.find((e) => e.kind === 'event' && e.type === 'boot.failed' && e.node === 'cp1');
    expect(firstFail).toBeDefined();
    const v = r.violations.filter((x) => x.invariant === 'rollback');
    expect(v.length).toBe(1);
    expect(v[0]!.nodes).toEqual(['cp1']);
    expect(v[0]!.t).toBe(firstFail!.t + rollbackBoundMs(s));
  });

  it('a node that rolls back in time is not reported, and its deadline leaves nothing behind', () => {
    const s = scenario(LOOP.replace('stage: kernel, times: always', 'stage: init, times: 1'));
    const r = simulate(s);
    expect(r.violations.filter((x) => x.invariant === 'rollback')).toEqual([]);
    expect(r.final.versions.cp1).toBe('v1.7.6');
  });
});

// Deadlines are scheduled events (DESIGN.md, invariants; issue 8): a violation whose only cause is time
// running out is reported at the deadline, even when nothing at all happens after it. Here cp1 hangs before
// init (F§2: Talos does not cover it) with no upgrade, no workload and no checkpoint to wake the monitor:
// after the hang the run is silent until the liveness phase, and the rollback bound must still fire on time.
import { describe, expect, it } from 'vitest';
import { rollbackBoundMs } from '../../../sim/invariants/index.js';
import { simulate } from '../../../sim/simulate.js';
import type { TraceEvent } from '../../../sim/trace/types.js';
import { scenario } from '../../helpers/scenario.js';

const HANG = `name: deadline-in-silence
seed: 3
duration: 3h
liveness: { faultsUntil: 2h, bound: 30m }
profile: talos-1.8
cluster: { controlPlanes: 3, workers: 0, version: v1.8.0 }
workload: { etcdWritesPerSecond: 0 }
checkpointEvery: 3h
invariants: [rollback]
faults:
  - { at: 5m, type: failedBoot, node: cp1, version: v1.8.0, stage: hang, times: 1 }
  - { at: 10m, type: powerLoss, node: cp1, duration: 1m }
`;

describe('deadlines in silence', () => {
  it('the rollback bound is reported at its deadline with no event between the hang and it', () => {
    const s = scenario(HANG);
    const events: TraceEvent[] = [];
    const r = simulate(s, { onEvent: (e) => events.push(e) });
    const hung = events.find((e) => e.type === 'node.state' && e.node === 'cp1' && e.state === 'hung');
    expect(hung).toBeDefined();
    const rollback = r.violations.find((v) => v.invariant === 'rollback');
    expect(rollback?.t).toBe(hung!.t + rollbackBoundMs(s));
    expect(rollback?.nodes).toEqual(['cp1']);
    // The silence: between the hang and the deadline no model, fault or workload event happened, so nothing
    // but the deadline itself could have woken the monitor.
    const after = events.filter((e) => e.t > hung!.t && e.type !== 'violation' && e.type !== 'phase');
    expect(after.filter((e) => e.t <= rollback!.t)).toEqual([]);
  });
});

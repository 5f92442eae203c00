// onFailure: what the controller does with the rest of the rollout after a node fails (issue 6, "Also").
// halt: stop; skip: leave the failed node (reported failed) and go on without it, the health gate no longer
// waiting for it; continue: go on as if it had succeeded, so the health gate still waits for it.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../sim/simulate.js';
import { scenario } from '../../helpers/scenario.js';

// w1's new kernel panics on every boot, and the `talos` profile does not cover panics before init (F§2):
// w1 boot-loops and is never Ready again. The rollout is cp1..cp3, w1, w2 with a health gate.
const yaml = (onFailure: string) => `name: on-failure-${onFailure}
seed: 4
duration: 3h
liveness: { faultsUntil: 170m, bound: 10m }
bootloader: talos
cluster: { controlPlanes: 3, workers: 2, version: v1.7.6 }
upgrade:
  to: v1.8.0
  at: 5m
  policy: { preset: talosctl, onFailure: ${onFailure}, nodeTimeout: 15m, healthTimeout: 10m }
workload: { etcdWritesPerSecond: 1 }
checkpointEvery: 3h
invariants: [quorum]
faults:
  - { type: failedBoot, node: w1, version: v1.8.0, stage: kernel, times: always }
`;

describe('onFailure', () => {
  it('skip: w1 is reported failed and left behind; w2 is still upgraded', () => {
    const r = simulate(scenario(yaml('skip')));
    expect(r.orchestrator?.outcomes).toMatchObject({ w1: 'failed', w2: 'done' });
    expect(r.orchestrator?.halted).toBe(false);
    expect(r.final.versions.w2).toBe('v1.8.0');
  });

  it('continue: w1 is reported failed, the gate waits for it as if it had succeeded, times out and halts', () => {
    const r = simulate(scenario(yaml('continue')));
    expect(r.orchestrator?.outcomes).toMatchObject({ w1: 'failed', w2: 'skipped' });
    expect(r.orchestrator?.halted).toBe(true);
    expect(r.final.versions.w2).toBe('v1.7.6');
  });

  it('halt: the rollout stops at w1', () => {
    const r = simulate(scenario(yaml('halt')));
    expect(r.orchestrator?.outcomes).toMatchObject({ w1: 'failed', w2: 'skipped' });
    expect(r.orchestrator?.halted).toBe(true);
  });
});

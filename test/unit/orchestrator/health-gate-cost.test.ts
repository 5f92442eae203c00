// The health gate lists every node through one call (NodeApi.clusterStatus) instead of asking each node, so
// the events a rollout costs per node do not grow with the cluster (issue 8: "cost per event follows state
// changes"). Before, every poll of the gate was two events per node: a 1,000-node rollout in batches of 50
// spent 300,000 of its 400,000 events polling nodes that had not changed.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../sim/simulate.js';
import { scenario } from '../../helpers/scenario.js';

const yaml = (workers: number) => `name: gate-cost-${workers}
seed: 1
duration: 3h
cluster: { controlPlanes: 3, workers: ${workers}, version: v1.8.0 }
upgrade: { to: v1.9.0, at: 5m, policy: { preset: talosctl, parallel: 10 } }
workload: { etcdWritesPerSecond: 0 }
`;

function eventsPerNode(workers: number): number {
  const r = simulate(scenario(yaml(workers)), { trace: false, checkpoints: false });
  expect(r.metrics.nodesOnTarget).toBe(workers + 3);
  expect(r.verdicts.every((v) => v.ok)).toBe(true);
  return r.metrics.events / (workers + 3);
}

describe('health gate cost', () => {
  it('events per node stay flat from 23 to 203 nodes (one node list per poll, not one call per node)', () => {
    const small = eventsPerNode(20);
    const large = eventsPerNode(200);
    // Polling each node made this about 4x; what is left grows only with the rollout's batches.
    expect(large / small).toBeLessThan(1.25);
  });
});

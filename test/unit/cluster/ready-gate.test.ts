// The Ready gate at the world level (F§2, issue 6 item 11): a node is Ready only once its Kubernetes node
// is Ready, which needs a working API server, hence a Running control plane whose etcd member has a
// leader. Workers too: their kubelet needs the API server.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/load.js';
import { simulate } from '../../../sim/simulate.js';
import type { World } from '../../../sim/cluster/world.js';
import type { TraceEvent } from '../../../sim/trace/types.js';

const HEAL_MS = 20 * 60_000;

/** Three control planes cut from each other (no etcd leader) for the first 20 min; one worker. */
const SCENARIO = `
name: ready-gate-no-leader
seed: 1
duration: 1h
profile: talos-1.8
cluster: { controlPlanes: 3, workers: 1, version: v1.8.0 }
faults:
  - { at: 0s, type: partition, groups: [[cp1], [cp2], [cp3, w1]], duration: 20m }
`;

function readyTimes(mutateWorld?: (w: World) => void): Map<string, number> {
  const first = new Map<string, number>();
  const s = parseScenario(SCENARIO, 'ready-gate.yaml');
  simulate(s, {
    checkpoints: false,
    trace: false,
    ...(mutateWorld ? { mutateWorld } : {}),
    onEvent: (e: TraceEvent) => {
      if (e.type === 'node.ready' && !first.has(e.node)) first.set(e.node, e.t);
    },
  });
  return first;
}

describe('Ready gate (F§2)', () => {
  it('F§2: without an etcd leader no node is Ready, the worker included; all become Ready after the heal', () => {
    const t = readyTimes();
    expect([...t.keys()].sort()).toEqual(['cp1', 'cp2', 'cp3', 'w1']);
    for (const [node, at] of t) expect(at, node).toBeGreaterThanOrEqual(HEAL_MS);
  });

  it('canary: a world whose API server is always reachable makes the worker Ready inside the partition', () => {
    const t = readyTimes((w) => Object.assign(w, { kubeApiReachable: () => true }));
    expect(t.get('w1')).toBeLessThan(HEAL_MS);
  });
});

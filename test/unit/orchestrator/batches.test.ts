// A gated policy with `parallel` > 1 upgrades workers in batches behind one health gate, as operators roll
// worker pools, and control planes still one at a time (issue 8 item 4). Counted from the orchestrator's
// upgrade requests and node-done steps in the trace.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../sim/simulate.js';
import type { TraceEvent } from '../../../sim/trace/types.js';
import { scenario } from '../../helpers/scenario.js';

const yaml = (parallel: number) => `name: worker-batches-${parallel}
seed: 1
duration: 2h
cluster: { controlPlanes: 3, workers: 7, version: v1.8.0 }
upgrade: { to: v1.9.0, at: 5m, policy: { preset: talosctl, parallel: ${parallel} } }
workload: { etcdWritesPerSecond: 5 }
`;

/** The most nodes of each role in flight at once (requested, not yet done). */
function inFlight(parallel: number) {
  const flying = new Set<string>();
  const most = { cp: 0, w: 0 };
  const r = simulate(scenario(yaml(parallel)), {
    trace: false,
    onEvent: (e: TraceEvent) => {
      if (e.type !== 'orchestrator' || e.node === undefined) return;
      if (e.step === 'upgrade-request') flying.add(e.node);
      if (e.step === 'node-done' || e.step === 'node-failed') flying.delete(e.node);
      const cps = [...flying].filter((n) => n.startsWith('cp')).length;
      most.cp = Math.max(most.cp, cps);
      most.w = Math.max(most.w, flying.size - cps);
    },
  });
  return { most, r };
}

describe('gated worker batches', () => {
  it('parallel 3: three workers at a time, control planes one at a time, every node upgraded', () => {
    const { most, r } = inFlight(3);
    expect(most).toEqual({ cp: 1, w: 3 });
    expect(r.metrics.nodesOnTarget).toBe(10);
    expect(r.verdicts.every((v) => v.ok)).toBe(true);
  });

  it('parallel 1 (talosctl): one node at a time, and batches finish the rollout sooner', () => {
    const one = inFlight(1);
    const three = inFlight(3);
    expect(one.most).toEqual({ cp: 1, w: 1 });
    expect(three.r.metrics.upgradeDurationMs!).toBeLessThan(one.r.metrics.upgradeDurationMs!);
  });
});

// version-skew: running nodes never span more than one minor version (Talos/Kubernetes skew policy: an
// upgrade moves one minor at a time). Booting a slot two versions back (T#10364) violates it.
import type { Invariant, Violation } from './invariant.js';

export function minorOf(version: string): number | null {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? Number(m[1]) * 1000 + Number(m[2]) : null;
}

export const versionSkewInvariant: Invariant = {
  name: 'version-skew',
  liveness: false,
  check(env): Violation | null {
    let lo: { v: string; m: number; node: string } | null = null;
    let hi: { v: string; m: number; node: string } | null = null;
    for (const n of env.world.nodes) {
      if (n.state !== 'running') continue;
      const v = n.actor.getSnapshot().context.version;
      const m = v ? minorOf(v) : null;
      if (v === null || m === null) continue;
      if (!lo || m < lo.m) lo = { v, m, node: n.name };
      if (!hi || m > hi.m) hi = { v, m, node: n.name };
    }
    if (!lo || !hi || hi.m - lo.m <= 1) return null;
    return {
      nodes: [lo.node, hi.node],
      message: `version skew: ${lo.node} runs ${lo.v} while ${hi.node} runs ${hi.v}`,
    };
  },
};

// version-skew: running nodes never span more than one minor version (Talos/Kubernetes skew policy: an
// upgrade moves one minor at a time). Booting a slot two versions back (T#10364) violates it.
import { nodesToCheck } from './dirty.js';
import type { Invariant, InvariantEnv, Violation } from './invariant.js';

export function minorOf(version: string): number | null {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? Number(m[1]) * 1000 + Number(m[2]) : null;
}

/** Running nodes never span more than one minor version: the full scan (messages come from it). */
function skewOf(env: InvariantEnv): Violation | null {
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
}

/**
 * Incremental: a count of running nodes per minor version, updated for the dirty nodes; the full scan
 * runs only when the counts show a skew (rare), so the message is the scan's.
 */
export function versionSkewInvariant(): Invariant {
  const minorOfNode = new Map<string, number>();
  const perMinor = new Map<number, number>();
  const bump = (m: number, by: number) => {
    const c = (perMinor.get(m) ?? 0) + by;
    if (c === 0) perMinor.delete(m);
    else perMinor.set(m, c);
  };
  return {
    name: 'version-skew',
    liveness: false,
    check(env): Violation | null {
      for (const n of nodesToCheck(env)) {
        const v = n.state === 'running' ? n.actor.getSnapshot().context.version : null;
        const m = v ? minorOf(v) : null;
        const was = minorOfNode.get(n.name);
        if (was === (m ?? undefined)) continue;
        if (was !== undefined) bump(was, -1);
        if (m === null) minorOfNode.delete(n.name);
        else {
          minorOfNode.set(n.name, m);
          bump(m, 1);
        }
      }
      if (perMinor.size <= 1) return null;
      const minors = [...perMinor.keys()];
      if (Math.max(...minors) - Math.min(...minors) <= 1) return null;
      return skewOf(env);
    },
  };
}

// single-upgrader: at most one control-plane node is mid-upgrade (from accepting the upgrade request until
// it is Ready again). Talos's etcd lock covers only the pre-checks, so two near-simultaneous requests can
// both pass (F§3): keeping this is the orchestrator's job.
import { inWorldOrder, nodesToCheck } from './dirty.js';
import type { Invariant, Violation } from './invariant.js';

/** Incremental: the set of control planes mid-upgrade, updated for the dirty nodes. */
export function singleUpgraderInvariant(): Invariant {
  const mid = new Set<string>();
  return {
    name: 'single-upgrader',
    liveness: false,
    check(env): Violation | null {
      for (const n of nodesToCheck(env)) {
        if (n.role === 'controlplane' && env.world.isMidUpgrade(n.name)) mid.add(n.name);
        else mid.delete(n.name);
      }
      if (mid.size <= 1) return null;
      const nodes = inWorldOrder(env.world, mid);
      return { nodes, message: `${nodes.length} control planes mid-upgrade at once: ${nodes.join(', ')}` };
    },
  };
}

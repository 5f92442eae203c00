// single-upgrader: at most one control-plane node is mid-upgrade (from accepting the upgrade request until
// it is Ready again). Talos's etcd lock covers only the pre-checks, so two near-simultaneous requests can
// both pass (F§3): keeping this is the orchestrator's job.
import type { Invariant, Violation } from './invariant.js';

export const singleUpgraderInvariant: Invariant = {
  name: 'single-upgrader',
  liveness: false,
  check(env): Violation | null {
    const mid = env.world.nodes
      .filter((n) => n.role === 'controlplane' && env.world.isMidUpgrade(n.name))
      .map((n) => n.name);
    if (mid.length <= 1) return null;
    return { nodes: mid, message: `${mid.length} control planes mid-upgrade at once: ${mid.join(', ')}` };
  },
};

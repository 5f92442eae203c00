// bootable: every node keeps at least one slot that can boot on a power cycle: an intact image the
// firmware can load that does not fail every boot (F§2). Losing both slots needs a reinstall.
import type { Invariant, Violation } from './invariant.js';

export const bootableInvariant: Invariant = {
  name: 'bootable',
  liveness: false,
  check(env): Violation | null {
    const bad = env.world.nodes.filter((n) => !env.world.isBootable(n.name)).map((n) => n.name);
    if (bad.length === 0) return null;
    const c = env.world.nodeContext(bad[0]!);
    const slots = (['A', 'B'] as const)
      .map(
        (s) =>
          `${s}=${c.disk.boot[s] ? `${c.disk.boot[s]!.version}${c.disk.boot[s]!.intact ? '' : '(torn)'}` : 'empty'}`,
      )
      .join(' ');
    return { nodes: bad, message: `${bad.join(', ')} has no slot that can boot (${slots})` };
  },
};

// bootable: every node keeps at least one slot that can boot on a power cycle: one slot whose image is
// intact, can be loaded by the firmware and bootloader, *and* does not fail every boot after loading (a
// panic, a hang, an initramfs or boot-sequence error with no end) (F§2; issue 6 item 12). A node whose only
// loadable image always fails, beside a slot that would boot but cannot be loaded, has none: losing both
// needs a reinstall.
import { inWorldOrder, nodesToCheck } from './dirty.js';
import type { Invariant, Violation } from './invariant.js';

/** Incremental: the set of nodes without a bootable slot, updated for the dirty nodes. */
export function bootableInvariant(): Invariant {
  const unbootable = new Set<string>();
  return {
    name: 'bootable',
    liveness: false,
    check(env): Violation | null {
      for (const n of nodesToCheck(env)) {
        if (env.world.isBootable(n.name)) unbootable.delete(n.name);
        else unbootable.add(n.name);
      }
      if (unbootable.size === 0) return null;
      const bad = inWorldOrder(env.world, unbootable);
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
}

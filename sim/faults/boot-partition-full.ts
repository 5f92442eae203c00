// bootPartitionFull — breaks: the installer's write of the inactive BOOT slot (no space left).
// Stands for: T#12551, a BOOT partition too small for the new kernel + initramfs (1000 MiB before 1.11).
// A correct cluster recovers: the write fails before the bootloader flip, so the node reboots on its
// current slot and the orchestrator sees a failed upgrade, not a broken node.
import type { FaultContext } from './registry.js';

export function bootPartitionFull(ctx: FaultContext, node: string, durationMs: number | null): void {
  ctx.registry.condition(ctx.scheduler, { type: 'bootPartitionFull', node }, durationMs, (on) =>
    ctx.world.setBootFull(node, on),
  );
}

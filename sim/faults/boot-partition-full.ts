// bootPartitionFull — breaks: the installer's write of the inactive BOOT slot (no space left).
// Stands for: T#12551, a BOOT partition too small for the new kernel + initramfs (1000 MiB before 1.11).
// A correct cluster recovers: the write fails before the bootloader flip, so the node reboots on its
// current slot and the orchestrator sees a failed upgrade, not a broken node.
import { nodeConditionKind, type FaultKind, type NodeConditionSpec } from './kind.js';

export type BootPartitionFullSpec = NodeConditionSpec<'bootPartitionFull'>;

export const bootPartitionFullKind: FaultKind<BootPartitionFullSpec> = nodeConditionKind(
  'bootPartitionFull',
  (ctx, node, on) => ctx.world.setBootFull(node, on),
);

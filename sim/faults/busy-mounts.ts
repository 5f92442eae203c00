// busyMounts — breaks: unmounting /var on one node during an upgrade (something still holds it open).
// Stands for: T#9307 / T#8800, where busy mounts made the unmount fail and aborted the upgrade.
// A correct cluster recovers: the upgrade aborts before the installer writes, the node reboots on its
// current version with its data intact; Talos 1.13's live installer never unmounts /var at all.
import { nodeConditionKind, type FaultKind, type NodeConditionSpec } from './kind.js';

export type BusyMountsSpec = NodeConditionSpec<'busyMounts'>;

export const busyMountsKind: FaultKind<BusyMountsSpec> = nodeConditionKind('busyMounts', (ctx, node, on) =>
  ctx.world.setBusyMounts(node, on),
);

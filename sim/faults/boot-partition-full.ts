// bootPartitionFull — breaks: the installer's write of the inactive BOOT slot (no space left).
// Stands for: T#12551, a BOOT partition too small for the new kernel + initramfs (1000 MiB before 1.11).
// A correct cluster recovers: the write fails before the bootloader flip, so the node reboots on its
// current slot and the orchestrator sees a failed upgrade, not a broken node.
import { schemaRef, type FaultKind } from './kind.js';
import type { FaultContext } from './registry.js';

export interface BootPartitionFullSpec {
  type: 'bootPartitionFull';
  atMs: number;
  node: string;
  /** null: until the liveness phase. */
  durationMs: number | null;
}

export function bootPartitionFull(ctx: FaultContext, node: string, durationMs: number | null): void {
  ctx.registry.condition(ctx.scheduler, { type: 'bootPartitionFull', node }, durationMs, (on) =>
    ctx.world.setBootFull(node, on),
  );
}

export const bootPartitionFullKind: FaultKind<BootPartitionFullSpec> = {
  type: 'bootPartitionFull',
  required: ['node'],
  properties: { node: schemaRef('nodeName'), duration: schemaRef('duration') },
  parse: (raw, atMs, p) => ({
    type: 'bootPartitionFull',
    atMs,
    node: p.node(raw.node, [...p.path, 'node']),
    durationMs: p.durationMs(raw.duration) ?? null,
  }),
  inject: (ctx, f) => bootPartitionFull(ctx, f.node, f.durationMs),
};

// busyMounts — breaks: unmounting /var on one node during an upgrade (something still holds it open).
// Stands for: T#9307 / T#8800, where busy mounts made the unmount fail and aborted the upgrade.
// A correct cluster recovers: the upgrade aborts before the installer writes, the node reboots on its
// current version with its data intact; Talos 1.13's live installer never unmounts /var at all.
import { schemaRef, type FaultKind } from './kind.js';
import type { FaultContext } from './registry.js';

export interface BusyMountsSpec {
  type: 'busyMounts';
  atMs: number;
  node: string;
  /** null: until the liveness phase. */
  durationMs: number | null;
}

export function busyMounts(ctx: FaultContext, node: string, durationMs: number | null): void {
  ctx.registry.condition(ctx.scheduler, { type: 'busyMounts', node }, durationMs, (on) =>
    ctx.world.setBusyMounts(node, on),
  );
}

export const busyMountsKind: FaultKind<BusyMountsSpec> = {
  type: 'busyMounts',
  required: ['node'],
  properties: { node: schemaRef('nodeName'), duration: schemaRef('duration') },
  parse: (raw, atMs, p) => ({
    type: 'busyMounts',
    atMs,
    node: p.node(raw.node, [...p.path, 'node']),
    durationMs: p.durationMs(raw.duration) ?? null,
  }),
  inject: (ctx, f) => busyMounts(ctx, f.node, f.durationMs),
};

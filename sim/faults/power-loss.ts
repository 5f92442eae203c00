// powerLoss — breaks: a node's power, instantly, mid-whatever it was doing. A slot being written is left
// torn (corrupt), etcd dies without a graceful stop (its fsynced log survives), the node's API vanishes.
// Stands for: a PDU trip, a hypervisor host crash, someone pulling the plug during an upgrade.
// A correct cluster recovers: the torn slot is the inactive one (the bootloader still points at the old
// slot until the write completes and the flip happens), and a single lost control plane keeps quorum.
import type { FaultContext } from './registry.js';

export function powerLoss(ctx: FaultContext, node: string, durationMs: number, random = false): void {
  ctx.registry.begin(
    ctx.scheduler,
    { type: 'powerLoss', node, detail: `off for ${durationMs} ms`, takesOut: [node], random },
    durationMs,
    () => ctx.world.powerOn(node),
  );
  if (ctx.registry.stopped) return;
  ctx.world.powerLoss(node);
}

// powerLoss — breaks: a node's power, instantly, mid-whatever it was doing. A slot being written is left
// torn (corrupt), etcd dies without a graceful stop (its fsynced log survives), the node's API vanishes.
// Stands for: a PDU trip, a hypervisor host crash, someone pulling the plug during an upgrade.
// A correct cluster recovers: the torn slot is the inactive one (the bootloader still points at the old
// slot until the write completes and the flip happens), and a single lost control plane keeps quorum.
import type { RangeMs } from '../engine/duration.js';
import { schemaRef, type FaultKind } from './kind.js';
import type { FaultContext } from './registry.js';

export interface PowerLossSpec {
  type: 'powerLoss';
  atMs: number;
  node: string;
  durationMs: number;
}

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

export const powerLossKind: FaultKind<PowerLossSpec, { duration: RangeMs }> = {
  type: 'powerLoss',
  required: ['at', 'node', 'duration'],
  properties: { node: schemaRef('nodeName'), duration: schemaRef('duration') },
  parse: (raw, atMs, p) => ({
    type: 'powerLoss',
    atMs,
    node: p.node(raw.node, [...p.path, 'node']),
    durationMs: p.durationMs(raw.duration) ?? 0,
  }),
  inject: (ctx, f) => powerLoss(ctx, f.node, f.durationMs),
  random: {
    key: 'powerLoss',
    required: ['duration'],
    properties: { duration: schemaRef('range') },
    parse: (raw, p) => ({
      duration: p.range(raw.duration, [...p.path, 'duration']) ?? { minMs: 0, maxMs: 0 },
    }),
    fire: (ctx, node, r, stream) =>
      powerLoss(ctx, node, stream.int(r.duration.minMs, r.duration.maxMs), true),
  },
};

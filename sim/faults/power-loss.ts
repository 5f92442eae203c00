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

/**
 * Cut `node`'s power now for `durationMs` (null: until `registry.end` or the liveness phase). Overlapping
 * power faults compose: the node comes back on only when the last one holding it off ends.
 * Returns the fault id, or null when faults have stopped.
 */
export function powerLoss(
  ctx: FaultContext,
  node: string,
  durationMs: number | null,
  random = false,
  detail = `off for ${durationMs} ms`,
): number | null {
  let release: (() => void) | null = null;
  const id = ctx.registry.begin(
    ctx.scheduler,
    { type: 'powerLoss', node, detail, takesOut: [node], random },
    durationMs,
    () => release?.(),
  );
  if (id === null) return null;
  release = ctx.registry.holdPowerOff(
    node,
    () => ctx.world.powerLoss(node),
    () => ctx.world.powerOn(node),
  );
  return id;
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
  inject: (ctx, f) => void powerLoss(ctx, f.node, f.durationMs),
  random: {
    key: 'powerLoss',
    required: ['duration'],
    properties: { duration: schemaRef('range') },
    parse: (raw, p) => ({
      duration: p.range(raw.duration, [...p.path, 'duration']) ?? { minMs: 0, maxMs: 0 },
    }),
    fire: (ctx, node, r, stream) =>
      void powerLoss(ctx, node, stream.int(r.duration.minMs, r.duration.maxMs), true),
  },
};

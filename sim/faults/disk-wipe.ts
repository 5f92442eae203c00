// diskWipe — breaks: one partition (by label) or the whole system disk of one node, instantly.
// EPHEMERAL takes the etcd data dir and workloads; STATE the machine config (the node then waits in
// maintenance mode); META the fallback tag and staged upgrade; BOOT both slots.
// Stands for: an operator's `talosctl reset --system-labels-to-wipe`, a replaced disk, a bad provisioning run.
// A correct cluster recovers from an EPHEMERAL wipe: Talos finds the etcd data dir empty, removes the old
// member and rejoins as a learner with a new ID (F§3, F§4). Wipes of STATE or BOOT need an operator.
import { WIPE_LABELS, type WipeLabel } from '../../models/types.js';
import { schemaRef, type FaultKind } from './kind.js';
import type { FaultContext } from './registry.js';

export type { WipeLabel };

export interface DiskWipeSpec {
  type: 'diskWipe';
  atMs: number;
  node: string;
  label: WipeLabel;
}

/**
 * Wipe now. The node is taken out (the quorum excuse) until it next becomes Ready: the damage of a wipe
 * shows later (etcd dies on its missing data dir, or the next boot finds no slot or no config), and only a
 * node that has come back Ready is whole again (issue 6 item 6).
 */
export function diskWipe(ctx: FaultContext, node: string, label: WipeLabel, detail = `wipe ${label}`): void {
  ctx.registry.instant({ type: 'diskWipe', node, detail }, () => {
    ctx.world.wipe(node, label);
    return [node];
  });
}

export const diskWipeKind: FaultKind<DiskWipeSpec> = {
  type: 'diskWipe',
  required: ['at', 'node', 'label'],
  properties: { node: schemaRef('nodeName'), label: { type: 'string', enum: WIPE_LABELS } },
  parse: (raw, atMs, p) => ({
    type: 'diskWipe',
    atMs,
    node: p.node(raw.node, [...p.path, 'node']),
    label: raw.label as WipeLabel,
  }),
  inject: (ctx, f) => diskWipe(ctx, f.node, f.label),
};

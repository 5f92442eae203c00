// etcdRemoveMember — breaks: one node's etcd membership. An operator or a piece of automation removes the
// member through another control plane (etcdctl member remove), typically while the node is down.
// Stands for: T#9789, where a member came back to find itself "permanently removed".
// A correct cluster recovers only with help: the removed member's data dir must be wiped (EPHEMERAL), so
// Talos finds it empty and rejoins as a learner under a new ID (F§4).
import type { FaultContext } from './registry.js';

export function etcdRemoveMember(ctx: FaultContext, node: string, via: string): void {
  let outcome = '';
  ctx.registry.instant(
    { type: 'etcdRemoveMember', node, detail: `remove ${node}'s member via ${via}` },
    () => {
      outcome = ctx.world.removeMemberOf(node, via);
    },
  );
  if (outcome)
    ctx.trace({
      type: 'etcd.member',
      node,
      member: ctx.world.etcd.memberByName(node)?.id ?? '-',
      change: 'operator-remove',
      detail: outcome,
    });
}

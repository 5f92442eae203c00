// etcdRemoveMember — breaks: one node's etcd membership. An operator or a piece of automation removes the
// member through another control plane (etcdctl member remove), typically while the node is down.
// Stands for: T#9789, where a member came back to find itself "permanently removed".
// A correct cluster recovers only with help: the removed member's data dir must be wiped (EPHEMERAL), so
// Talos finds it empty and rejoins as a learner under a new ID (F§4).
import { isWorker, schemaRef, type FaultKind } from './kind.js';
import type { FaultContext } from './registry.js';

/** An operator (or automation) removes a node's etcd member through another node. */
export interface EtcdRemoveMemberSpec {
  type: 'etcdRemoveMember';
  atMs: number;
  node: string;
  via: string;
}

/**
 * Remove `node`'s member through `via` now. When the removal succeeds the node is out (the quorum excuse)
 * until it next becomes Ready, i.e. has been wiped and has rejoined under a new ID (issue 6 item 6).
 */
export function etcdRemoveMember(ctx: FaultContext, node: string, via: string): void {
  let outcome = '';
  ctx.registry.instant(
    { type: 'etcdRemoveMember', node, detail: `remove ${node}'s member via ${via}` },
    () => {
      const member = ctx.world.etcd.memberByName(node)?.id;
      outcome = ctx.world.removeMemberOf(node, via);
      return member !== undefined && !ctx.world.etcd.hasMember(member) ? [node] : [];
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

export const etcdRemoveMemberKind: FaultKind<EtcdRemoveMemberSpec> = {
  type: 'etcdRemoveMember',
  required: ['at', 'node'],
  properties: { node: schemaRef('nodeName'), via: schemaRef('nodeName') },
  parse: (raw, atMs, p) => {
    const target = p.node(raw.node, [...p.path, 'node']);
    const via = raw.via === undefined ? null : p.node(raw.via, [...p.path, 'via']);
    // By default the operator goes through the first other control plane.
    const fallback = p.nodeNames.find((n) => p.controlPlanes.has(n) && n !== target) ?? target;
    if (p.nodesKnown && !p.controlPlanes.has(target))
      p.problem([...p.path, 'node'], `node '${target}' is a worker and has no etcd member`);
    if (via !== null && isWorker(p, via))
      p.problem(
        [...p.path, 'via'],
        `node '${via}' is a worker: it has no etcd member to send the removal through`,
      );
    return { type: 'etcdRemoveMember', atMs, node: target, via: via ?? fallback };
  },
  inject: (ctx, f) => etcdRemoveMember(ctx, f.node, f.via),
};

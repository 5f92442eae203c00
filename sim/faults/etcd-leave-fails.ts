// etcdLeaveFails — breaks: the etcd member-remove call a node makes to leave the cluster during a
// talos-1.7 upgrade without preserve; it fails with "etcdserver: server stopped".
// Stands for: T#7423 / T#8759 / T#9153, where etcd was already stopping when the leave was issued.
// A correct cluster recovers: Talos retries the leave for 5 min and otherwise aborts the upgrade and
// reboots on the current slot with its data intact. With `applied`, the removal took effect although the
// call failed (an indefinite error): the node reboots into a member that no longer exists (T#7423).
import { isWorker, schemaRef, type FaultKind } from './kind.js';
import type { FaultContext } from './registry.js';

export interface EtcdLeaveFailsSpec {
  type: 'etcdLeaveFails';
  atMs: number;
  node: string;
  times: number | null;
  /** The removal takes effect but the caller still gets the error (an indefinite failure). */
  applied: boolean;
}

export function etcdLeaveFails(ctx: FaultContext, node: string, times: number | null, applied = false): void {
  const id = ctx.registry.begin(
    ctx.scheduler,
    {
      type: 'etcdLeaveFails',
      node,
      detail: `${times === null ? 'always' : `${times} time(s)`}${applied ? ', the removal still takes effect' : ''}`,
      takesOut: [],
    },
    null,
    () => ctx.world.setLeaveFailures(node, 0),
  );
  if (id !== null) ctx.world.setLeaveFailures(node, times, applied);
}

export const etcdLeaveFailsKind: FaultKind<EtcdLeaveFailsSpec> = {
  type: 'etcdLeaveFails',
  required: ['node'],
  properties: { node: schemaRef('nodeName'), times: schemaRef('times'), applied: { type: 'boolean' } },
  parse: (raw, atMs, p) => {
    const node = p.node(raw.node, [...p.path, 'node']);
    if (isWorker(p, node))
      p.problem(
        [...p.path, 'node'],
        `node '${node}' is a worker: it never leaves etcd, so this fault would do nothing`,
      );
    return {
      type: 'etcdLeaveFails',
      atMs,
      node,
      times: p.times(raw.times),
      applied: raw.applied === true,
    };
  },
  inject: (ctx, f) => etcdLeaveFails(ctx, f.node, f.times, f.applied),
};

// A checkpoint line: the whole cluster state at one moment (every node's slots, bootloader, META and etcd
// member; the etcd leader, term and commit index; active faults; partitions), so a viewer can seek without
// replaying the trace from zero. buildCheckpoint builds it from scratch (O(nodes)); a run writes its
// checkpoints through checkpoint-incremental.ts, which rebuilds only the records of the nodes that changed
// with the same functions below, so both give the same bytes.
import type { SimNode, World } from '../cluster/world.js';
import type { FaultRegistry } from '../faults/registry.js';
import type { NodeCheckpoint, TraceCheckpoint } from './types.js';

/** One node's checkpoint record, from its model's context, its last state and its etcd member. */
export function nodeCheckpoint(world: World, n: SimNode): NodeCheckpoint {
  const c = n.actor.getSnapshot().context;
  return {
    name: n.name,
    state: n.state,
    version: c.version,
    bootedSlot: c.bootedSlot,
    ready: c.ready,
    // What the node's status reports as upgrading (SimulatedNodeApi.statusNow: an upgrade in its
    // context), read straight from the context: statusNow looked the node and its member up again.
    upgrading: c.upgrade !== null ? (c.upgrade.version ?? null) : null,
    slots: {
      A: c.disk.boot.A ? { ...c.disk.boot.A } : null,
      B: c.disk.boot.B ? { ...c.disk.boot.B } : null,
    },
    bootloader: { default: c.disk.bootloader.default, fallback: c.disk.bootloader.fallback },
    meta: c.disk.meta
      ? { upgradeFallback: c.disk.meta.upgradeFallback, staged: c.disk.meta.staged?.version ?? null }
      : null,
    etcd: etcdMemberCheckpoint(world, n),
    powered: n.state !== 'off',
  };
}

/** A node's etcd member as its record shows it: null for workers, an empty member for a control plane without one. */
export function etcdMemberCheckpoint(world: World, n: SimNode): NodeCheckpoint['etcd'] {
  if (n.role !== 'controlplane') return null;
  const m = world.etcd.memberByName(n.name);
  return m
    ? { member: m.id, learner: m.learner, started: m.started, lastIndex: m.lastIndex }
    : { member: null, learner: false, started: false, lastIndex: 0 };
}

/** The cluster-wide etcd part of a checkpoint (O(members)). */
export function etcdCheckpoint(world: World): TraceCheckpoint['etcd'] {
  const etcd = world.etcd;
  const leaderId = etcd.leader();
  return {
    leader: leaderId ? (etcd.member(leaderId)?.name ?? leaderId) : null,
    term: etcd.term,
    commitIndex: etcd.commitIndex,
    voters: etcd.voters(),
    learners: etcd.learners(),
  };
}

/** The ids of the active faults, ascending (O(active faults)). */
export function activeFaultIds(registry: FaultRegistry): number[] {
  return [...registry.active.keys()].sort((a, b) => a - b);
}

export function buildCheckpoint(
  world: World,
  registry: FaultRegistry,
  t: number,
  seq: number,
): TraceCheckpoint {
  return {
    kind: 'checkpoint',
    t,
    seq,
    nodes: world.nodes.map((n) => nodeCheckpoint(world, n)),
    etcd: etcdCheckpoint(world),
    activeFaults: activeFaultIds(registry),
    partitions: world.network.describe(),
  };
}

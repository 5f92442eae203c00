// partition — breaks: network links between groups of nodes (symmetric, or one-way from the first group to
// the others). Isolating one node is a partition with one group of one.
// Stands for: a switch failure, a misapplied firewall rule, a flapping link.
// A correct cluster keeps serving on the majority side; the minority side has no leader and refuses writes
// (no split brain, F§4); after healing, members catch up from the leader.
// Note: Raft needs round trips, so the abstract etcd treats a one-way cut like a cut link.
import type { FaultContext } from './registry.js';

export function partition(
  ctx: FaultContext,
  groups: string[][],
  oneWay: boolean,
  durationMs: number,
  random = false,
  ports: 'all' | 'peer' = 'all',
): void {
  const all = ctx.world.nodes.map((n) => n.name);
  const named = new Set(groups.flat());
  const rest = all.filter((n) => !named.has(n));
  // The nodes taken out are those outside the largest side.
  const sides = rest.length > 0 ? [...groups, rest] : groups;
  const largest = sides.reduce((a, b) => (b.length > a.length ? b : a), sides[0] ?? []);
  const takesOut = all.filter((n) => !largest.includes(n));
  // A peer-only cut (etcd port 2380) leaves client and API traffic alone.
  const net = ports === 'peer' ? ctx.world.peerNetwork : ctx.world.network;
  const detail = `${ports === 'peer' ? 'etcd peer traffic only: ' : ''}${oneWay ? 'one-way ' : ''}${groups.map((g) => `[${g.join(',')}]`).join(' | ')} for ${durationMs} ms`;
  const node = groups.length === 1 && groups[0]!.length === 1 ? groups[0]![0] : undefined;
  let cuts: ReturnType<typeof net.partition> = [];
  const id = ctx.registry.begin(
    ctx.scheduler,
    {
      type: groups.length === 1 && groups[0]!.length === 1 ? 'isolate' : 'partition',
      detail,
      takesOut,
      random,
      ...(node ? { node } : {}),
    },
    durationMs,
    () => {
      net.healCuts(cuts);
      ctx.world.markEtcdDirty();
    },
  );
  if (id === null) return;
  cuts = net.partition(groups, oneWay);
  ctx.world.markEtcdDirty();
}

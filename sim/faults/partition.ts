// partition — breaks: network links between groups of nodes (symmetric, or one-way from the first group to
// the others). Isolating one node is a partition with one group of one.
// Stands for: a switch failure, a misapplied firewall rule, a flapping link.
// A correct cluster keeps serving on the majority side; the minority side has no leader and refuses writes
// (no split brain, F§4); after healing, members catch up from the leader.
// Note: Raft needs round trips, so the abstract etcd treats a one-way cut like a cut link; real etcd with
// pre-vote behaves the same (F§4: a one-way cut of the leader, in either direction, ends in a new leader).
import type { RangeMs } from '../engine/duration.js';
import { schemaRef, type FaultKind, type FaultParseContext, type RawFields } from './kind.js';
import type { FaultContext } from './registry.js';

export interface PartitionSpec {
  type: 'partition';
  atMs: number;
  durationMs: number;
  groups: string[][];
  oneWay: boolean;
  /** 'peer' cuts only etcd peer traffic (port 2380); client and API traffic still flow. */
  ports: 'all' | 'peer';
}

/**
 * Cut the links between `groups` now for `durationMs` (null: until `registry.end` or the liveness phase).
 * Overlapping cuts compose: a link two faults cut stays cut until both have ended (models/network.ts).
 * Returns the fault id, or null when faults have stopped.
 */
export function partition(
  ctx: FaultContext,
  groups: string[][],
  oneWay: boolean,
  durationMs: number | null,
  random = false,
  ports: 'all' | 'peer' = 'all',
): number | null {
  const all = ctx.world.nodes.map((n) => n.name);
  const named = new Set(groups.flat());
  const rest = all.filter((n) => !named.has(n));
  // The nodes taken out are those outside the largest side.
  const sides = rest.length > 0 ? [...groups, rest] : groups;
  const largest = sides.reduce((a, b) => (b.length > a.length ? b : a), sides[0] ?? []);
  const takesOut = all.filter((n) => !largest.includes(n));
  // A peer-only cut (etcd port 2380) leaves client and API traffic alone.
  const net = ports === 'peer' ? ctx.world.peerNetwork : ctx.world.network;
  const detail = `${ports === 'peer' ? 'etcd peer traffic only: ' : ''}${oneWay ? 'one-way ' : ''}${groups.map((g) => `[${g.join(',')}]`).join(' | ')} ${durationMs === null ? 'until healed' : `for ${durationMs} ms`}`;
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
  if (id === null) return null;
  cuts = net.partition(groups, oneWay);
  ctx.world.markEtcdDirty();
  return id;
}

/** `groups: [[a], [b, c]]` or `isolate: a` (a group of one); every node at most once. */
function parseGroups(raw: RawFields, p: FaultParseContext): string[][] {
  if ((raw.groups === undefined) === (raw.isolate === undefined)) {
    p.problem(p.path, "a partition needs exactly one of 'groups' or 'isolate'");
    return [];
  }
  if (raw.isolate !== undefined) return [[p.node(raw.isolate, [...p.path, 'isolate'])]];
  const seen = new Set<string>();
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  return list(raw.groups).map((g, gi) =>
    list(g).map((n, ni) => {
      const at = [...p.path, 'groups', gi, ni];
      const name = p.node(n, at);
      if (typeof n === 'string' && seen.has(n)) p.problem(at, `node '${n}' appears in more than one place`);
      seen.add(name);
      return name;
    }),
  );
}

export const partitionKind: FaultKind<PartitionSpec, { duration: RangeMs }> = {
  type: 'partition',
  required: ['at', 'duration'],
  properties: {
    groups: {
      type: 'array',
      minItems: 1,
      items: { type: 'array', minItems: 1, items: schemaRef('nodeName') },
    },
    isolate: schemaRef('nodeName'),
    oneWay: { type: 'boolean' },
    ports: { type: 'string', enum: ['all', 'peer'] },
    duration: schemaRef('duration'),
  },
  parse: (raw, atMs, p) => ({
    type: 'partition',
    atMs,
    durationMs: p.durationMs(raw.duration) ?? 0,
    groups: parseGroups(raw, p),
    oneWay: raw.oneWay === true,
    ports: raw.ports === 'peer' ? 'peer' : 'all',
  }),
  inject: (ctx, f) => void partition(ctx, f.groups, f.oneWay, f.durationMs, false, f.ports),
  // Random network faults isolate one node at a time.
  random: {
    key: 'isolate',
    required: ['duration'],
    properties: { duration: schemaRef('range') },
    parse: (raw, p) => ({
      duration: p.range(raw.duration, [...p.path, 'duration']) ?? { minMs: 0, maxMs: 0 },
    }),
    fire: (ctx, node, r, stream) =>
      void partition(ctx, [[node]], false, stream.int(r.duration.minMs, r.duration.maxMs), true),
  },
};

// A run's checkpoint lines, built from what changed (issue 8: per-event cost at 1,000 nodes). Building a
// full state at every checkpoint and diffing it against the previous one (checkpoint-delta.ts) costs
// O(nodes) however little moved: 4 ms a checkpoint at 1,000 nodes against 35 us at 5. Here the previous
// checkpoint's node records are kept, and a checkpoint rebuilds only the records of the nodes the world
// saw change since (World.trackChanges: every actor step and emitted effect marks its node) and of
// the control planes, whose etcd member moves with every commit without their node doing anything. The
// cluster-wide parts are O(etcd members) and O(active faults); partitions are read again only when a link
// changed (Network.version). The lines are byte for byte what the writer's diff of two full states gives
// (test/unit/trace/checkpoint-incremental.test.ts and the regression library's trace hashes).
//
// Keyframes. A full checkpoint is O(nodes) to serialise and hash whatever changed, so "a keyframe every 10
// checkpoints" made a checkpoint at 1,000 nodes cost a tenth of a keyframe however quiet the cluster was.
// Instead a keyframe is written once the deltas since the previous keyframe add up to at least its size
// (and never before KEYFRAME_MIN_DELTAS deltas, nor after KEYFRAME_MAX_DELTAS): keyframes then cost at
// most what the deltas cost, i.e. they follow state changes, not node count and not the checkpoint count.
// A viewer seeking to any checkpoint reads one keyframe and deltas totalling less than that keyframe plus
// one delta (at most KEYFRAME_MAX_DELTAS of them), so its work stays bounded by twice the size of the
// cluster's state. Small clusters' deltas outgrow their keyframe within ten checkpoints, so they keep a
// keyframe every ten, and their traces are unchanged.
import type { World } from '../cluster/world.js';
import type { FaultRegistry } from '../faults/registry.js';
import { sameJson } from './checkpoint-delta.js';
import { activeFaultIds, etcdCheckpoint, etcdMemberCheckpoint, nodeCheckpoint } from './checkpoint.js';
import {
  CHECKPOINT_KEYFRAME_EVERY,
  type NodeCheckpoint,
  type NodeCheckpointDelta,
  type TraceCheckpoint,
  type TraceCheckpointDelta,
} from './types.js';

/**
 * Deltas between two keyframes at most, however small they are: a viewer applies at most this many to
 * reach a checkpoint, and a damaged delta spoils at most this many. At the default checkpoint interval
 * (1 min) that is a keyframe at least every 8 h 20 min of simulated time; a 1,000-node cluster at rest
 * writes deltas of about 450 bytes against a keyframe of about 330 KB, so the bytes rule alone would wait
 * about 700 checkpoints.
 */
export const CHECKPOINT_KEYFRAME_MAX_DELTAS = 500;

export interface KeyframePolicy {
  /** Deltas between two keyframes at least (CHECKPOINT_KEYFRAME_EVERY - 1 by default). */
  minDeltas: number;
  /** Deltas between two keyframes at most; 0 writes every checkpoint in full. */
  maxDeltas: number;
}

/** The policy for a run's `checkpointKeyframeEvery` option (1: every checkpoint full). */
export function keyframePolicy(keyframeEvery: number = CHECKPOINT_KEYFRAME_EVERY): KeyframePolicy {
  if (!Number.isSafeInteger(keyframeEvery) || keyframeEvery < 1)
    throw new RangeError(`keyframePolicy: keyframeEvery must be a whole number >= 1, got ${keyframeEvery}`);
  if (keyframeEvery === 1) return { minDeltas: 0, maxDeltas: 0 };
  const minDeltas = keyframeEvery - 1;
  return { minDeltas, maxDeltas: Math.max(minDeltas, CHECKPOINT_KEYFRAME_MAX_DELTAS) };
}

/** One checkpoint line: its JSON text (without newline) and whether it is a keyframe. */
export interface CheckpointLine {
  json: string;
  keyframe: boolean;
}

export class IncrementalCheckpoints {
  /** The previous checkpoint's record of every node, in world order (null before the first). */
  private records: NodeCheckpoint[] | null = null;
  /** Each record's JSON text, kept from the last keyframe that serialised it (null: changed since). */
  private recordJson: (string | null)[] = [];
  /** The model context each record was built from (a new context object is the only way one changes). */
  private contextAt: unknown[] = [];
  private etcd: TraceCheckpoint['etcd'] | null = null;
  private activeFaults: number[] = [];
  private partitions: string[][] = [];
  private partitionsVersion = -1;
  private lastSeq = -1;
  private deltasSinceKeyframe = 0;
  private deltaCharsSinceKeyframe = 0;
  private keyframeChars = 0;
  /** The nodes that changed since the previous checkpoint (World.trackChanges). */
  private readonly takeChanges: () => ReadonlySet<string>;
  /** Indexes of the control planes in world order: their etcd member changes without a node step. */
  private readonly controlPlanes: number[];

  constructor(
    private readonly world: World,
    private readonly registry: FaultRegistry,
    private readonly policy: KeyframePolicy = keyframePolicy(),
  ) {
    if (!(policy.minDeltas >= 0 && policy.maxDeltas >= policy.minDeltas))
      throw new RangeError(
        `IncrementalCheckpoints: need 0 <= minDeltas <= maxDeltas, got ${policy.minDeltas} and ${policy.maxDeltas}`,
      );
    this.takeChanges = world.trackChanges();
    this.controlPlanes = [];
    world.nodes.forEach((n, i) => {
      if (n.role === 'controlplane') this.controlPlanes.push(i);
    });
  }

  /** The checkpoint at virtual time `t` with sequence number `seq`, as a keyframe or a delta. */
  next(t: number, seq: number): CheckpointLine {
    const world = this.world;
    const changed = this.takeChanges();
    const entries: NodeCheckpointDelta[] = [];
    let records = this.records;
    if (records === null) {
      records = world.nodes.map((n) => nodeCheckpoint(world, n));
      this.contextAt = world.nodes.map((n) => n.actor.getSnapshot().context);
      this.records = records;
      this.recordJson = new Array<string | null>(records.length).fill(null);
    } else {
      // The nodes to look at, in world order, as the full diff lists them.
      const indexes = this.controlPlanes.slice();
      for (const name of changed) {
        const i = world.indexOf(name);
        if (world.nodes[i]!.role !== 'controlplane') indexes.push(i);
      }
      indexes.sort((a, b) => a - b);
      for (const i of indexes) {
        const node = world.nodes[i]!;
        const before = records[i]!;
        const ctx = node.actor.getSnapshot().context;
        // XState contexts are immutable: the same context object and state as at the last record leave only
        // the etcd member (control planes) to look at.
        if (ctx === this.contextAt[i] && node.state === before.state) {
          if (node.role !== 'controlplane') continue;
          const etcd = etcdMemberCheckpoint(world, node);
          if (sameJson(before.etcd, etcd)) continue;
          entries.push({ name: node.name, etcd });
          records[i] = withEtcd(before, etcd);
          this.recordJson[i] = null;
          continue;
        }
        this.contextAt[i] = ctx;
        const after = nodeCheckpoint(world, node);
        const entry = nodeDelta(before, after);
        if (entry === null) continue;
        entries.push(entry);
        records[i] = after;
        this.recordJson[i] = null;
      }
    }

    const first = this.etcd === null;
    const etcd = etcdCheckpoint(world);
    const etcdChanged = first || !sameJson(this.etcd, etcd);
    if (etcdChanged) this.etcd = etcd;
    const activeFaults = activeFaultIds(this.registry);
    const faultsChanged = first || !sameJson(this.activeFaults, activeFaults);
    if (faultsChanged) this.activeFaults = activeFaults;
    // Network.describe is O(nodes) even when cached (it copies): ask only when a link changed.
    let partitionsChanged = first;
    if (first || world.network.version !== this.partitionsVersion) {
      const partitions = world.network.describe();
      this.partitionsVersion = world.network.version;
      partitionsChanged ||= !sameJson(this.partitions, partitions);
      if (partitionsChanged) this.partitions = partitions;
    }

    const keyframe =
      first ||
      this.deltasSinceKeyframe >= this.policy.maxDeltas ||
      (this.deltasSinceKeyframe >= this.policy.minDeltas &&
        this.deltaCharsSinceKeyframe >= this.keyframeChars);
    let json: string;
    if (keyframe) {
      json = this.keyframeJson(t, seq);
      this.deltasSinceKeyframe = 0;
      this.deltaCharsSinceKeyframe = 0;
      this.keyframeChars = json.length;
    } else {
      // One literal shape, the unchanged parts undefined: JSON.stringify leaves those keys out, so the text
      // is that of a TraceCheckpointDelta without them (and building it costs no shape changes).
      const d: TraceCheckpointDelta = {
        kind: 'checkpoint-delta',
        t,
        seq,
        base: this.lastSeq,
        nodes: entries,
        etcd: etcdChanged ? this.etcd! : undefined,
        activeFaults: faultsChanged ? this.activeFaults : undefined,
        partitions: partitionsChanged ? this.partitions : undefined,
      };
      json = JSON.stringify(d);
      this.deltasSinceKeyframe++;
      this.deltaCharsSinceKeyframe += json.length;
    }
    this.lastSeq = seq;
    return { json, keyframe };
  }

  /**
   * The state of the last checkpoint in full (tests, verify mode). It shares the records it holds: treat
   * it as read-only.
   */
  current(t: number, seq: number): TraceCheckpoint {
    if (this.records === null || this.etcd === null)
      throw new Error('IncrementalCheckpoints.current: no checkpoint yet');
    return {
      kind: 'checkpoint',
      t,
      seq,
      nodes: this.records.slice(),
      etcd: this.etcd,
      activeFaults: this.activeFaults,
      partitions: this.partitions,
    };
  }

  /**
   * JSON.stringify of the full checkpoint, assembled from each record's JSON, which is serialised again
   * only if the record changed since the previous keyframe. JSON.stringify writes an array as its elements'
   * texts joined by commas, so the bytes are the same.
   */
  private keyframeJson(t: number, seq: number): string {
    const records = this.records!;
    const texts = this.recordJson;
    for (let i = 0; i < records.length; i++) texts[i] ??= JSON.stringify(records[i]);
    const head = JSON.stringify({ kind: 'checkpoint', t, seq });
    return (
      `${head.slice(0, -1)},"nodes":[${texts.join(',')}],"etcd":${JSON.stringify(this.etcd)}` +
      `,"activeFaults":${JSON.stringify(this.activeFaults)},"partitions":${JSON.stringify(this.partitions)}}`
    );
  }
}

/** `r` with another etcd member, the keys in NodeCheckpoint's order (a spread would cost a shape change). */
function withEtcd(r: NodeCheckpoint, etcd: NodeCheckpoint['etcd']): NodeCheckpoint {
  return {
    name: r.name,
    state: r.state,
    version: r.version,
    bootedSlot: r.bootedSlot,
    ready: r.ready,
    upgrading: r.upgrading,
    slots: r.slots,
    bootloader: r.bootloader,
    meta: r.meta,
    etcd,
    powered: r.powered,
  };
}

/**
 * The delta entry of one node: its name and the fields that differ, the others undefined (JSON.stringify
 * leaves them out, so the text is that of an entry without them, fields in the order of
 * NODE_CHECKPOINT_FIELDS, which checkpointDelta follows);
 * null if nothing differs. One literal shape instead of keys added one by one.
 */
function nodeDelta(a: NodeCheckpoint, b: NodeCheckpoint): NodeCheckpointDelta | null {
  const state = a.state === b.state ? undefined : b.state;
  const version = a.version === b.version ? undefined : b.version;
  const bootedSlot = a.bootedSlot === b.bootedSlot ? undefined : b.bootedSlot;
  const ready = a.ready === b.ready ? undefined : b.ready;
  const upgrading = a.upgrading === b.upgrading ? undefined : b.upgrading;
  const slots = sameJson(a.slots, b.slots) ? undefined : b.slots;
  const bootloader = sameJson(a.bootloader, b.bootloader) ? undefined : b.bootloader;
  const meta = sameJson(a.meta, b.meta) ? undefined : b.meta;
  const etcd = sameJson(a.etcd, b.etcd) ? undefined : b.etcd;
  const powered = a.powered === b.powered ? undefined : b.powered;
  if (
    state === undefined &&
    version === undefined &&
    bootedSlot === undefined &&
    ready === undefined &&
    upgrading === undefined &&
    slots === undefined &&
    bootloader === undefined &&
    meta === undefined &&
    etcd === undefined &&
    powered === undefined
  )
    return null;
  // Every field of NodeCheckpoint is required here, so the compiler rejects a field added there and
  // forgotten here (a delta would silently drop it).
  const entry: { [K in keyof NodeCheckpoint]: NodeCheckpoint[K] | undefined } = {
    name: b.name,
    state,
    version,
    bootedSlot,
    ready,
    upgrading,
    slots,
    bootloader,
    meta,
    etcd,
    powered,
  };
  return entry as NodeCheckpointDelta;
}

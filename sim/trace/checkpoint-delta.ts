// Delta checkpoints (trace format v2, types.ts): a checkpoint line carries only what changed since the
// previous checkpoint, and a full one (a keyframe) comes every CHECKPOINT_KEYFRAME_EVERY checkpoints. On
// the default scenario most of a trace's bytes were checkpoints (120 full ones of ~2.3 KB in a 304 KB
// trace), and at 1,000 nodes a full checkpoint is O(nodes) however little moved. The writer diffs
// (checkpointDelta), the reader resolves (applyCheckpointDelta); viz/src/trace/delta.ts mirrors the
// resolution for the viewer, which may import only types from sim/.
import { NODE_CHECKPOINT_FIELDS } from './fields.js';
import type { NodeCheckpoint, NodeCheckpointDelta, TraceCheckpoint, TraceCheckpointDelta } from './types.js';

/** Structural equality of JSON values (what JSON.stringify would tell apart, key order aside). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // for-in rather than Object.keys: no key arrays allocated on the writer's path (checkpoints are plain
  // JSON-shaped objects without inherited enumerable keys).
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let keys = 0;
  for (const k in ra) {
    if (!Object.hasOwn(rb, k) || !sameJson(ra[k], rb[k])) return false;
    keys++;
  }
  for (const _ in rb) keys--;
  return keys === 0;
}

/** Whether `next` can be written as a delta of `prev`: the same nodes in the same order. */
export function deltaApplies(prev: TraceCheckpoint, next: TraceCheckpoint): boolean {
  if (prev.nodes.length !== next.nodes.length) return false;
  for (let i = 0; i < prev.nodes.length; i++) if (prev.nodes[i]!.name !== next.nodes[i]!.name) return false;
  return true;
}

/** The delta line that turns `prev` into `next` (check deltaApplies first). */
export function checkpointDelta(prev: TraceCheckpoint, next: TraceCheckpoint): TraceCheckpointDelta {
  if (!deltaApplies(prev, next)) throw new Error('checkpointDelta: the checkpoints have different nodes');
  const nodes: NodeCheckpointDelta[] = [];
  for (let i = 0; i < next.nodes.length; i++) {
    const a = prev.nodes[i]!;
    const b = next.nodes[i]!;
    let entry: NodeCheckpointDelta | null = null;
    for (const f of NODE_CHECKPOINT_FIELDS) {
      if (sameJson(a[f], b[f])) continue;
      entry ??= { name: b.name };
      (entry as Record<string, unknown>)[f] = b[f];
    }
    if (entry) nodes.push(entry);
  }
  const d: TraceCheckpointDelta = {
    kind: 'checkpoint-delta',
    t: next.t,
    seq: next.seq,
    base: prev.seq,
    nodes,
  };
  if (!sameJson(prev.etcd, next.etcd)) d.etcd = next.etcd;
  if (!sameJson(prev.activeFaults, next.activeFaults)) d.activeFaults = next.activeFaults;
  if (!sameJson(prev.partitions, next.partitions)) d.partitions = next.partitions;
  return d;
}

/**
 * The full checkpoint `d` describes, given the checkpoint it is based on; a sentence saying why when it
 * cannot be resolved (another base, a node the base does not have). Unchanged node records are shared
 * with `base`, not copied: callers treat checkpoints as read-only.
 */
export function applyCheckpointDelta(
  base: TraceCheckpoint,
  d: TraceCheckpointDelta,
): TraceCheckpoint | string {
  if (d.base !== base.seq)
    return `the delta is based on the checkpoint with seq ${d.base}, but the previous checkpoint has seq ${base.seq}`;
  const nodes: NodeCheckpoint[] = base.nodes.slice();
  let from = 0;
  for (const entry of d.nodes) {
    // Writers list nodes in checkpoint order, so the search resumes after the last hit: O(nodes) a delta.
    let i = indexOfNode(nodes, entry.name, from);
    if (i < 0) i = indexOfNode(nodes, entry.name, 0);
    from = i + 1;
    if (i < 0)
      return `the delta names node ${JSON.stringify(entry.name)}, which the base checkpoint does not have`;
    nodes[i] = { ...nodes[i]!, ...entry };
  }
  return {
    kind: 'checkpoint',
    t: d.t,
    seq: d.seq,
    nodes,
    etcd: d.etcd ?? base.etcd,
    activeFaults: d.activeFaults ?? base.activeFaults,
    partitions: d.partitions ?? base.partitions,
  };
}

function indexOfNode(nodes: readonly NodeCheckpoint[], name: string, from: number): number {
  for (let i = from; i < nodes.length; i++) if (nodes[i]!.name === name) return i;
  return -1;
}

// Resolves a `checkpoint-delta` line (trace format v2, sim/trace/types.ts TraceCheckpointDelta) into the
// full checkpoint it stands for, so the model only ever sees full checkpoints. A mirror of
// sim/trace/checkpoint-delta.ts applyCheckpointDelta (viz/ may import only types from sim/);
// test/viz/trace/delta.test.ts checks both resolve every checkpoint of the regression library alike.
import type { NodeCheckpoint, TraceCheckpoint, TraceCheckpointDelta } from '../../../sim/trace/types.js';

/** The full checkpoint, or a sentence saying why `d` does not apply to `base`. */
export function resolveDelta(base: TraceCheckpoint, d: TraceCheckpointDelta): TraceCheckpoint | string {
  if (d.base !== base.seq)
    return `it is based on the checkpoint with seq ${d.base}, but the checkpoint before it has seq ${base.seq}`;
  const nodes: NodeCheckpoint[] = base.nodes.slice();
  const at = new Map<string, number>();
  nodes.forEach((n, i) => at.set(n.name, i));
  for (const entry of d.nodes) {
    const i = at.get(entry.name);
    if (i === undefined)
      return `it names node ${JSON.stringify(entry.name)}, which the checkpoint before it does not have`;
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

// Trace format v2: the only contract with viz/ (viz imports *types* from this file and nothing else).
// JSON Lines: one header line, then events ordered by (t, seq), periodic checkpoints, one footer.
//
// Versioning: the header's `version` goes up by one whenever a line changes in a way a reader of the
// previous version would misread or reject (a new line kind, a field that changes meaning); adding an
// optional field that old readers may ignore does not bump it. Writers write only TRACE_VERSION; readers
// (sim/trace/reader.ts and viz/src/trace/parse.ts) read every version in READABLE_TRACE_VERSIONS, so a
// trace stays readable by later releases.
//   v1: every checkpoint line is a full `checkpoint`.
//   v2: `checkpoint-delta` lines (only what changed since the previous checkpoint) between full
//       `checkpoint` keyframes; the first is always full. Where keyframes fall is the writer's choice (a
//       run's: sim/trace/checkpoint-incremental.ts); readers resolve any placement.

export const TRACE_FORMAT = 'upgradelab-trace';
export const TRACE_VERSION = 2;
export const READABLE_TRACE_VERSIONS = [1, 2] as const;
export type TraceVersion = (typeof READABLE_TRACE_VERSIONS)[number];

/**
 * A full checkpoint every this many checkpoints at least (v2); a run waits longer when its deltas are
 * still small next to a keyframe (sim/trace/checkpoint-incremental.ts, at most
 * CHECKPOINT_KEYFRAME_MAX_DELTAS). TraceWriter.checkpoint writes one exactly every this many.
 */
export const CHECKPOINT_KEYFRAME_EVERY = 10;

export interface TraceHeader {
  kind: 'header';
  format: typeof TRACE_FORMAT;
  version: TraceVersion;
  scenario: string;
  file: string;
  seed: string | number;
  codeVersion: string;
  deterministic: boolean;
  nodes: { name: string; role: 'controlplane' | 'worker'; attached: boolean }[];
  profile: string;
  bootloader: string;
  durationMs: number;
  faultsUntilMs: number;
}

/** Fields every event carries. `t` is virtual ms, `seq` the trace-local sequence number. */
interface Base {
  kind: 'event';
  t: number;
  seq: number;
}

export type TraceEvent = Base &
  (
    | { type: 'node.state'; node: string; state: string; version: string | null; slot: string | null }
    | { type: 'node.ready'; node: string; version: string }
    | { type: 'boot.decision'; node: string; slot: string | null; reason: string; mode: string }
    | { type: 'boot.failed'; node: string; stage: string; version: string; reverted: boolean }
    | {
        type: 'slot.write';
        node: string;
        slot: string;
        version: string;
        phase: 'start' | 'done' | 'torn' | 'failed' | 'removed';
      }
    | { type: 'bootloader.flip'; node: string; default: string; fallback: string | null }
    | { type: 'meta'; node: string; key: string; value: string | null }
    | { type: 'disk.wipe'; node: string; label: string }
    | { type: 'upgrade.step'; node: string; step: string; detail?: string }
    | { type: 'etcd.member'; node: string; member: string; change: string; detail?: string }
    | { type: 'etcd.leader'; leader: string | null; term: number }
    | {
        // The workload's writes between two events, as one line (workload.trace: batch, the default):
        // ids firstId..firstId+writes-1, sent fromMs..t, acknowledged as a whole at log indexes
        // fromIndex..index, or failed as a whole with `error`.
        type: 'etcd.commit';
        writes: number;
        ok: boolean;
        firstId: number;
        fromMs: number;
        fromIndex?: number;
        index?: number;
        error?: string;
      }
    | { type: 'etcd.write'; id: number; ok: boolean; index?: number; error?: string }
    | { type: 'fault.start'; fault: string; id: number; node?: string; detail: string }
    | { type: 'fault.end'; fault: string; id: number; node?: string; detail: string }
    | { type: 'orchestrator'; step: string; node?: string; detail?: string }
    | { type: 'api'; node: string; call: string; ok: boolean; detail?: string }
    | { type: 'phase'; phase: 'safety' | 'liveness' }
    | { type: 'violation'; invariant: string; nodes: string[]; message: string; liveness: boolean }
  );

export interface NodeCheckpoint {
  name: string;
  state: string;
  version: string | null;
  bootedSlot: string | null;
  ready: boolean;
  upgrading: string | null;
  slots: { A: { version: string; intact: boolean } | null; B: { version: string; intact: boolean } | null };
  bootloader: { default: string; fallback: string | null };
  meta: { upgradeFallback: string | null; staged: string | null } | null;
  etcd: { member: string | null; learner: boolean; started: boolean; lastIndex: number } | null;
  powered: boolean;
}

export interface TraceCheckpoint {
  kind: 'checkpoint';
  t: number;
  seq: number;
  nodes: NodeCheckpoint[];
  etcd: { leader: string | null; term: number; commitIndex: number; voters: number; learners: number };
  activeFaults: number[];
  partitions: string[][];
}

/**
 * What changed since the previous checkpoint line (v2): `base` is that line's `seq`. `nodes` lists only the
 * nodes with a changed field, each as its name plus the changed top-level fields of NodeCheckpoint (a
 * changed sub-object such as `etcd` or `slots` is given whole); `etcd`, `activeFaults` and `partitions` are
 * present only when they changed. The full state is the previous checkpoint's with these fields replaced
 * (sim/trace/checkpoint-delta.ts).
 */
export interface TraceCheckpointDelta {
  kind: 'checkpoint-delta';
  t: number;
  seq: number;
  base: number;
  nodes: NodeCheckpointDelta[];
  etcd?: TraceCheckpoint['etcd'];
  activeFaults?: number[];
  partitions?: string[][];
}

export type NodeCheckpointDelta = Partial<NodeCheckpoint> & { name: string };

export interface Verdict {
  invariant: string;
  ok: boolean;
  violations: number;
  first?: { t: number; nodes: string[]; message: string };
}

export interface RunMetrics {
  simulatedMs: number;
  events: number;
  upgradeDurationMs: number | null;
  timeWithoutQuorumMs: number;
  writesAttempted: number;
  writesAcknowledged: number;
  writesLost: number;
  nodesOnTarget: number;
}

export interface TraceFooter {
  kind: 'footer';
  t: number;
  stop: string;
  counts: Record<string, number>;
  verdicts: Verdict[];
  metrics: RunMetrics;
  /** SHA-256 over every line before the footer (hex). */
  hash: string;
}

export type TraceLine = TraceHeader | TraceEvent | TraceCheckpoint | TraceCheckpointDelta | TraceFooter;

/** Distributes over the union so each variant keeps its own fields when kind/t/seq are stripped. */
type Strip<T> = T extends unknown ? Omit<T, 'kind' | 't' | 'seq'> : never;
export type TraceEventBody = Strip<TraceEvent>;

// Builds the viewer's model of one trace in a single pass (parse -> model): per-node lanes as intervals,
// the cluster band, markers, write columns and seek snapshots at every trace checkpoint. Runs in a Web
// Worker for large traces; the result is plain data (structured-clonable, typed arrays transferable).
import type { TraceCheckpoint, TraceFooter, TraceHeader } from '../../../sim/trace/types.js';
import { nodeOf, type AnyEvent } from '../trace/events.js';
import { TraceParser, type ParseError, type TraceSink } from '../trace/parse.js';
import { IntervalBuilder, type Interval } from './intervals.js';
import {
  applyCheckpoint,
  applyEvent,
  cloneView,
  initialView,
  type ClusterView,
  type NodeView,
} from './state.js';
import { finishWrites, newWriteBuilder, pushWrite, type WriteColumns } from './writes.js';

export interface Marker {
  tMs: number;
  seq: number;
  kind: 'violation' | 'fault' | 'phase' | 'step' | 'outcome' | 'event';
  label: string;
  detail: string;
  node: string | null;
}

export interface Span {
  startMs: number;
  endMs: number;
  /** False while the span is still open at the end of the trace. */
  ended: boolean;
  label: string;
  detail: string;
  node: string | null;
  id: number;
}

/** The lanes of one node, top to bottom. */
export const NODE_LANES = ['stage', 'version', 'step', 'meta', 'etcd', 'ready'] as const;
export type NodeLane = (typeof NODE_LANES)[number];

export interface NodeModel {
  name: string;
  role: 'controlplane' | 'worker';
  lanes: Record<NodeLane, Interval[]>;
  leader: Interval[];
  markers: Marker[];
}

export interface Snapshot {
  tMs: number;
  seq: number;
  /** Index into `events` of the first event after this snapshot. */
  eventIndex: number;
  view: ClusterView;
  /** etcd member id -> node name, as known at this point (etcd.leader events name members). */
  members: [string, string][];
}

export interface Model {
  name: string;
  header: TraceHeader;
  footer: TraceFooter | null;
  partial: boolean;
  stoppedAt: ParseError | null;
  /** Last time the trace covers (the footer's, or the last line's). */
  endMs: number;
  nodes: NodeModel[];
  quorum: Interval[];
  members: Interval[];
  faults: Span[];
  partitions: Span[];
  violations: Marker[];
  phases: Marker[];
  writes: WriteColumns;
  /** Every event but etcd.write / etcd.commit (those live in `writes`), in trace order. */
  events: AnyEvent[];
  snapshots: Snapshot[];
  /** Event counts per type, including types this viewer does not know. */
  counts: Record<string, number>;
}

export type BuildResult = { ok: true; model: Model } | { ok: false; error: ParseError };

const PARTITION_FAULTS = new Set(['partition', 'isolate']);

function etcdLabel(n: NodeView): string | null {
  const e = n.etcd;
  if (!e) return null;
  if (e.crashLoop) return 'crash-looping';
  if (e.role === 'absent') return null;
  return e.started ? e.role : `${e.role} (stopped)`;
}

class Builder {
  header!: TraceHeader;
  footer: TraceFooter | null = null;
  view!: ClusterView;
  readonly memberNode = new Map<string, string>();
  lanes: Record<NodeLane, IntervalBuilder>[] = [];
  leader: IntervalBuilder[] = [];
  markers: Marker[][] = [];
  nodeIndex = new Map<string, number>();
  targets: (string | null)[] = [];
  readonly quorum = new IntervalBuilder();
  readonly members = new IntervalBuilder();
  readonly faults: Span[] = [];
  readonly openFaults = new Map<number, Span>();
  readonly violations: Marker[] = [];
  readonly phases: Marker[] = [];
  readonly writes: ReturnType<typeof newWriteBuilder>;

  constructor(sizeHintBytes: number) {
    this.writes = newWriteBuilder(sizeHintBytes);
  }
  readonly events: AnyEvent[] = [];
  readonly snapshots: Snapshot[] = [];
  readonly counts: Record<string, number> = {};
  lastT = 0;

  header_(h: TraceHeader): void {
    this.header = h;
    this.view = initialView(h);
    h.nodes.forEach((n, i) => {
      this.nodeIndex.set(n.name, i);
      this.lanes.push({
        stage: new IntervalBuilder(),
        version: new IntervalBuilder(),
        step: new IntervalBuilder(),
        meta: new IntervalBuilder(),
        etcd: new IntervalBuilder(),
        ready: new IntervalBuilder(),
      });
      this.leader.push(new IntervalBuilder());
      this.markers.push([]);
      this.targets.push(null);
    });
    this.sync(0);
  }

  /** Records every lane's current value at `tMs` (only changes create intervals). */
  private sync(tMs: number, only?: number): void {
    const v = this.view;
    const from = only ?? 0;
    const to = only === undefined ? v.nodes.length : only + 1;
    for (let i = from; i < to; i++) {
      const n = v.nodes[i]!;
      const l = this.lanes[i]!;
      l.stage.set(tMs, n.state);
      l.version.set(tMs, n.slot !== null && n.version !== null ? `${n.slot} ${n.version}` : null);
      l.step.set(tMs, n.upgradeStep);
      l.meta.set(tMs, n.metaFallback === null ? null : `fallback ${n.metaFallback}`);
      l.etcd.set(tMs, etcdLabel(n));
      l.ready.set(tMs, n.ready ? 'Ready' : null);
    }
    for (let i = 0; i < v.nodes.length; i++) {
      this.leader[i]!.set(tMs, v.leader === v.nodes[i]!.name ? 'leader' : null);
    }
    this.quorum.set(tMs, !v.formed ? 'forming' : v.leader !== null ? 'held' : 'lost');
    const m = `${v.voters} voter${v.voters === 1 ? '' : 's'}${v.learners > 0 ? ` + ${v.learners} learner${v.learners === 1 ? '' : 's'}` : ''}`;
    this.members.set(tMs, v.voters + v.learners > 0 ? m : null);
  }

  write(tMs: number, _seq: number, ok: boolean, index: number | null): void {
    this.writeCount++;
    this.lastT = tMs;
    pushWrite(this.writes, tMs, ok ? 1 : 0, ok ? 0 : 1, index ?? -1);
  }

  writeCount = 0;

  event(e: AnyEvent): void {
    this.counts[e.type] = (this.counts[e.type] ?? 0) + 1;
    this.lastT = e.t;
    if (e.type === 'etcd.write') {
      const w = e as Extract<AnyEvent, { type: 'etcd.write' }>;
      pushWrite(this.writes, e.t, w.ok ? 1 : 0, w.ok ? 0 : 1, typeof w.index === 'number' ? w.index : -1);
      return;
    }
    if (e.type === 'etcd.commit') {
      const c = e as Extract<AnyEvent, { type: 'etcd.commit' }>;
      // A batch is acknowledged or failed as a whole (sim/trace/types.ts, etcd.commit).
      if (c.ok) pushWrite(this.writes, e.t, c.writes, 0, c.index ?? -1);
      else pushWrite(this.writes, e.t, 0, c.writes, -1);
      return;
    }
    this.events.push(e);
    const idx = nodeOf(e) === null ? undefined : this.nodeIndex.get(nodeOf(e)!);
    const before = idx === undefined ? null : this.view.nodes[idx]!.upgradeStep;
    applyEvent(this.view, e, this.memberNode);
    this.marks(e, idx, before);
    this.sync(
      e.t,
      e.type === 'etcd.leader' || e.type === 'orchestrator' || e.type === 'etcd.member' ? undefined : idx,
    );
  }

  /** Markers and spans: upgrade outcomes, faults, partitions, violations, phases. */
  private marks(e: AnyEvent, idx: number | undefined, stepBefore: string | null): void {
    const mark = (kind: Marker['kind'], label: string, detail = ''): Marker => ({
      tMs: e.t,
      seq: e.seq,
      kind,
      label,
      detail,
      node: nodeOf(e),
    });
    const node = idx === undefined ? null : this.view.nodes[idx]!;
    switch (e.type) {
      case 'upgrade.step': {
        const s = e as Extract<AnyEvent, { type: 'upgrade.step' }>;
        if (s.step === 'request' && idx !== undefined) this.targets[idx] = s.detail ?? null;
        if ((s.step === 'failed' || s.step === 'refused') && idx !== undefined)
          this.markers[idx]!.push(mark('outcome', s.step, s.detail ?? ''));
        break;
      }
      case 'node.ready':
        if (stepBefore === 'reboot' && idx !== undefined && node) {
          const target = this.targets[idx];
          const proven = target === null || node.version === target;
          this.markers[idx]!.push(
            mark('outcome', proven ? 'proven' : 'reverted', `Ready on ${node.version ?? '?'}`),
          );
        }
        break;
      case 'boot.failed': {
        const b = e as Extract<AnyEvent, { type: 'boot.failed' }>;
        if (idx !== undefined)
          this.markers[idx]!.push(
            mark('outcome', b.reverted ? 'reverted' : 'boot failed', `${b.version} failed at ${b.stage}`),
          );
        break;
      }
      case 'fault.start': {
        const f = e as Extract<AnyEvent, { type: 'fault.start' }>;
        const span: Span = {
          startMs: f.t,
          endMs: f.t,
          ended: false,
          label: f.node === undefined ? f.fault : `${f.fault} ${f.node}`,
          detail: f.detail,
          node: f.node ?? null,
          id: f.id,
        };
        // A fault that starts twice (one per side of a partition) is one span.
        if (!this.openFaults.has(f.id)) {
          this.openFaults.set(f.id, span);
          (PARTITION_FAULTS.has(f.fault) ? this.partitionSpans : this.faults).push(span);
        }
        break;
      }
      case 'fault.end': {
        const f = e as Extract<AnyEvent, { type: 'fault.end' }>;
        const span = this.openFaults.get(f.id);
        if (span) {
          span.endMs = f.t;
          span.ended = true;
          this.openFaults.delete(f.id);
        }
        break;
      }
      case 'violation': {
        const v = e as Extract<AnyEvent, { type: 'violation' }>;
        this.violations.push({
          ...mark('violation', v.invariant, v.message),
          node: v.nodes.join(', ') || null,
        });
        break;
      }
      case 'phase':
        this.phases.push(mark('phase', (e as Extract<AnyEvent, { type: 'phase' }>).phase));
        break;
    }
  }

  readonly partitionSpans: Span[] = [];

  checkpoint(c: TraceCheckpoint): void {
    this.lastT = c.t;
    applyCheckpoint(this.view, c, this.memberNode);
    this.view.seq = c.seq;
    this.sync(c.t);
    this.snapshots.push({
      tMs: c.t,
      seq: c.seq,
      eventIndex: this.events.length,
      view: cloneView(this.view),
      members: [...this.memberNode],
    });
  }

  footer_(f: TraceFooter): void {
    this.footer = f;
    this.lastT = Math.max(this.lastT, f.t);
  }
}

/** Builds a model from a whole text (tests, small inputs). */
export function buildModel(text: string, name: string): BuildResult {
  const bytes = new TextEncoder().encode(text);
  const m = modelBuilder(name, bytes.length);
  m.push(bytes);
  return m.finish();
}

/**
 * Builds a model from chunks of bytes as they arrive (the worker streams fetch and File bodies);
 * `sizeHintBytes` is the input's size when known (it sizes the write columns once).
 */
export function modelBuilder(
  name: string,
  sizeHintBytes = 0,
): { push(chunk: Uint8Array): void; finish(): BuildResult } {
  const b = new Builder(sizeHintBytes);
  const sink: TraceSink = {
    header: (h) => b.header_(h),
    event: (e) => b.event(e),
    write: (t, seq, ok, index) => b.write(t, seq, ok, index),
    checkpoint: (c) => b.checkpoint(c),
    footer: (f) => b.footer_(f),
  };
  const parser = new TraceParser(sink);
  return { push: (chunk) => parser.push(chunk), finish: () => finish(b, parser.end(), name) };
}

function finish(b: Builder, outcome: ReturnType<TraceParser['end']>, name: string): BuildResult {
  if (outcome.fatal) return { ok: false, error: outcome.fatal };
  if (b.writeCount > 0) b.counts['etcd.write'] = (b.counts['etcd.write'] ?? 0) + b.writeCount;
  const endMs = b.footer?.t ?? b.lastT;
  const close = (l: IntervalBuilder) => l.close(Math.max(endMs, 1));
  for (const lanes of b.lanes) for (const l of Object.values(lanes)) close(l);
  b.leader.forEach(close);
  close(b.quorum);
  close(b.members);
  for (const s of [...b.faults, ...b.partitionSpans]) if (!s.ended) s.endMs = endMs;
  const model: Model = {
    name,
    header: b.header,
    footer: b.footer,
    partial: outcome.partial,
    stoppedAt: outcome.stoppedAt,
    endMs,
    nodes: b.header.nodes.map((n, i) => ({
      name: n.name,
      role: n.role,
      lanes: {
        stage: b.lanes[i]!.stage.out,
        version: b.lanes[i]!.version.out,
        step: b.lanes[i]!.step.out,
        meta: b.lanes[i]!.meta.out,
        etcd: b.lanes[i]!.etcd.out,
        ready: b.lanes[i]!.ready.out,
      },
      leader: b.leader[i]!.out,
      markers: b.markers[i]!,
    })),
    quorum: b.quorum.out,
    members: b.members.out,
    faults: b.faults,
    partitions: b.partitionSpans,
    violations: b.violations,
    phases: b.phases,
    writes: finishWrites(b.writes),
    events: b.events,
    snapshots: b.snapshots,
    counts: b.counts,
  };
  return { ok: true, model };
}

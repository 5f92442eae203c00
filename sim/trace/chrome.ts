// Exports a trace as Chrome Trace Event JSON (the "JSON object" form), which Perfetto and chrome://tracing
// open. Layout: one process "cluster"; thread 0 holds cluster-wide events, one thread per node in header
// order, then fault lanes and an "invariants" thread. Node states become complete spans, faults become spans
// from their start to their end, everything else is an instant event. Virtual ms become µs.
import type { TraceEvent, TraceFooter, TraceHeader } from './types.js';

export interface ChromeTraceEvent {
  name: string;
  cat?: string;
  ph: 'X' | 'i' | 'M';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  /** Scope of an instant event: thread, process or global. */
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string | number | boolean>;
}

/** What the export needs of a read trace (readTrace's result fits). */
export interface ChromeTraceInput {
  header: TraceHeader;
  events: readonly TraceEvent[];
  footer?: TraceFooter | null;
}

const PID = 1;
const CLUSTER_TID = 0;
const US_PER_MS = 1000;

interface Span {
  name: string;
  startMs: number;
  endMs: number;
  args: Record<string, unknown>;
}

/** The fields of an event that are not its envelope, as instant/span arguments. */
function argsOf(e: TraceEvent): Record<string, unknown> {
  const { kind: _kind, t: _t, type: _type, ...rest } = e;
  return rest;
}

function instantName(e: TraceEvent): string {
  switch (e.type) {
    case 'upgrade.step':
      return `upgrade ${e.step}`;
    case 'orchestrator':
      return `orchestrator ${e.step}`;
    case 'etcd.member':
      return `etcd member ${e.change}`;
    case 'api':
      return `api ${e.call}${e.ok ? '' : ' (failed)'}`;
    case 'phase':
      return `phase ${e.phase}`;
    case 'slot.write':
      return `slot ${e.slot} write ${e.phase}`;
    default:
      return e.type;
  }
}

/**
 * Lays spans out on as few lanes as possible so that no two spans on one lane overlap (Perfetto draws
 * overlapping, non-nested slices on one thread badly). Returns the lane index of each span.
 */
function assignLanes(spans: readonly Span[]): number[] {
  const laneEnds: number[] = [];
  return spans.map((s) => {
    let lane = laneEnds.findIndex((end) => end <= s.startMs);
    if (lane === -1) lane = laneEnds.push(s.endMs) - 1;
    else laneEnds[lane] = s.endMs;
    return lane;
  });
}

export function toChromeTrace(trace: ChromeTraceInput): ChromeTrace {
  const { header, events } = trace;
  const endMs = Math.max(trace.footer?.t ?? 0, events.length > 0 ? (events[events.length - 1]?.t ?? 0) : 0);
  const nodeTid = new Map<string, number>();
  header.nodes.forEach((n, i) => nodeTid.set(n.name, i + 1));
  const tidOf = (node: string | undefined): number =>
    node === undefined ? CLUSTER_TID : (nodeTid.get(node) ?? CLUSTER_TID);

  const out: ChromeTraceEvent[] = [];
  const spans: ChromeTraceEvent[] = [];
  const instants: ChromeTraceEvent[] = [];
  const span = (tid: number, cat: string, s: Span) =>
    spans.push({
      name: s.name,
      cat,
      ph: 'X',
      ts: s.startMs * US_PER_MS,
      dur: (s.endMs - s.startMs) * US_PER_MS,
      pid: PID,
      tid,
      args: s.args,
    });

  const openState = new Map<string, Span>();
  const openFault = new Map<number, Span>();
  const faultSpans: Span[] = [];
  const violationTid = header.nodes.length + 1;

  for (const e of events) {
    switch (e.type) {
      case 'node.state': {
        const prev = openState.get(e.node);
        if (prev) span(tidOf(e.node), 'state', { ...prev, endMs: e.t });
        openState.set(e.node, {
          name: e.state,
          startMs: e.t,
          endMs: e.t,
          args: { version: e.version, slot: e.slot },
        });
        break;
      }
      case 'fault.start': {
        const s: Span = {
          name: e.node === undefined ? e.fault : `${e.fault} ${e.node}`,
          startMs: e.t,
          endMs: endMs,
          args: { id: e.id, detail: e.detail, ...(e.node === undefined ? {} : { node: e.node }) },
        };
        openFault.set(e.id, s);
        faultSpans.push(s);
        break;
      }
      case 'fault.end': {
        const s = openFault.get(e.id);
        if (s) {
          s.endMs = e.t;
          s.args.end = e.detail;
          openFault.delete(e.id);
        } else {
          instants.push({
            name: `${e.fault} end`,
            cat: 'fault',
            ph: 'i',
            s: 't',
            ts: e.t * US_PER_MS,
            pid: PID,
            tid: CLUSTER_TID,
            args: argsOf(e),
          });
        }
        break;
      }
      case 'violation':
        instants.push({
          name: `violation: ${e.invariant}`,
          cat: 'violation',
          ph: 'i',
          s: 'p',
          ts: e.t * US_PER_MS,
          pid: PID,
          tid: violationTid,
          args: argsOf(e),
        });
        break;
      default: {
        const node = 'node' in e ? e.node : undefined;
        instants.push({
          name: instantName(e),
          cat: e.type.split('.')[0] ?? e.type,
          ph: 'i',
          s: 't',
          ts: e.t * US_PER_MS,
          pid: PID,
          tid: tidOf(node),
          args: argsOf(e),
        });
      }
    }
  }
  for (const [node, s] of openState) span(tidOf(node), 'state', { ...s, endMs });

  const lanes = assignLanes(faultSpans);
  const laneCount = Math.max(1, ...lanes.map((l) => l + 1));
  const faultTid = (lane: number) => violationTid + 1 + lane;
  faultSpans.forEach((s, i) => span(faultTid(lanes[i] ?? 0), 'fault', s));

  const meta = (tid: number, name: string, sort: number) => {
    out.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid, args: { name } });
    out.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: PID, tid, args: { sort_index: sort } });
  };
  out.push({ name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: CLUSTER_TID, args: { name: 'cluster' } });
  meta(CLUSTER_TID, 'cluster', 0);
  header.nodes.forEach((n, i) => meta(i + 1, n.name, i + 1));
  for (let lane = 0; lane < laneCount; lane++) {
    meta(faultTid(lane), lane === 0 ? 'faults' : `faults ${lane + 1}`, faultTid(lane));
  }
  meta(violationTid, 'invariants', faultTid(laneCount));

  // Sorting by time (stable, so ties keep trace order) keeps the output deterministic and easy to diff.
  const body = [...spans, ...instants].sort((a, b) => a.ts - b.ts);
  return {
    traceEvents: [...out, ...body],
    displayTimeUnit: 'ms',
    otherData: {
      scenario: header.scenario,
      seed: header.seed,
      codeVersion: header.codeVersion,
      deterministic: header.deterministic,
    },
  };
}

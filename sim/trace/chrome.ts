// Exports a trace as Chrome Trace Event JSON (the "JSON object" form), which Perfetto and chrome://tracing
// open. The layout matches the viewer's lanes (viz/): process 1 is the cluster (threads: etcd, orchestrator,
// invariants; counters: quorum, etcd members, etcd writes), then one process per node in header order
// (threads: stage, upgrade, events). Node stages and upgrade steps are complete slices ("X"), faults are
// async spans ("b"/"e", on their node's process, or the cluster's), violations and other events are
// instants. Virtual ms become µs.
import type { TraceEvent, TraceFooter, TraceHeader } from './types.js';

export interface ChromeTraceEvent {
  name: string;
  cat?: string;
  ph: 'X' | 'i' | 'M' | 'b' | 'e' | 'C';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  /** Async span id ("b"/"e"): a begin and its end share it. */
  id?: string;
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

export const CLUSTER_PID = 1;
/** Threads of the cluster process. */
export const CLUSTER_TIDS = { etcd: 1, orchestrator: 2, invariants: 3, faults: 4 } as const;
/** Threads of each node process. */
export const NODE_TIDS = { stage: 1, upgrade: 2, events: 3 } as const;
const US_PER_MS = 1000;

/** Steps that end an upgrade attempt without a reboot (models/node.ts). */
const STEP_ENDS = new Set(['failed', 'refused']);

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

interface Open {
  name: string;
  startMs: number;
  args: Record<string, unknown>;
}

export function toChromeTrace(trace: ChromeTraceInput): ChromeTrace {
  const { header, events } = trace;
  const endMs = Math.max(trace.footer?.t ?? 0, events.length > 0 ? (events[events.length - 1]?.t ?? 0) : 0);
  const nodePid = new Map<string, number>();
  header.nodes.forEach((n, i) => nodePid.set(n.name, CLUSTER_PID + 1 + i));
  const us = (ms: number) => ms * US_PER_MS;

  const meta: ChromeTraceEvent[] = [];
  const body: ChromeTraceEvent[] = [];
  const slice = (pid: number, tid: number, cat: string, o: Open, toMs: number) =>
    body.push({
      name: o.name,
      cat,
      ph: 'X',
      ts: us(o.startMs),
      dur: us(toMs - o.startMs),
      pid,
      tid,
      args: o.args,
    });
  const instant = (pid: number, tid: number, e: TraceEvent, cat: string, s: 't' | 'p' = 't') =>
    body.push({ name: instantName(e), cat, ph: 'i', s, ts: us(e.t), pid, tid, args: argsOf(e) });
  const counter = (name: string, tMs: number, args: Record<string, number>) =>
    body.push({ name, ph: 'C', ts: us(tMs), pid: CLUSTER_PID, tid: 0, args });

  const stage = new Map<string, Open>();
  const step = new Map<string, Open>();
  const endStep = (node: string, tMs: number) => {
    const o = step.get(node);
    if (o) slice(nodePid.get(node)!, NODE_TIDS.upgrade, 'upgrade', o, tMs);
    step.delete(node);
  };
  const setStep = (node: string, name: string, tMs: number, args: Record<string, unknown> = {}) => {
    endStep(node, tMs);
    step.set(node, { name, startMs: tMs, args });
  };
  // etcd membership and quorum, by the same rules as the viewer's cluster band.
  const role = new Map<string, 'voter' | 'learner'>();
  const memberNode = new Map<string, string>();
  let formed = false;
  let quorum = -1;
  let members = '';
  let ok = 0;
  let failed = 0;
  const emitMembers = (tMs: number) => {
    const voters = [...role.values()].filter((r) => r === 'voter').length;
    const learners = role.size - voters;
    const key = `${voters}/${learners}`;
    if (key !== members) counter('etcd members', tMs, { voters, learners });
    members = key;
  };
  const emitQuorum = (tMs: number, held: boolean) => {
    const q = held ? 1 : 0;
    if (formed && q !== quorum) counter('quorum', tMs, { held: q });
    if (formed) quorum = q;
  };
  let leader: string | null = null;

  for (const e of events) {
    const pid = 'node' in e && typeof e.node === 'string' ? nodePid.get(e.node) : undefined;
    switch (e.type) {
      case 'node.state': {
        if (pid === undefined) break;
        const prev = stage.get(e.node);
        if (prev) slice(pid, NODE_TIDS.stage, 'stage', prev, e.t);
        stage.set(e.node, { name: e.state, startMs: e.t, args: { version: e.version, slot: e.slot } });
        if (e.state === 'rebooting' && step.has(e.node)) setStep(e.node, 'reboot', e.t);
        break;
      }
      case 'upgrade.step':
        if (pid === undefined) break;
        if (STEP_ENDS.has(e.step)) {
          endStep(e.node, e.t);
          instant(pid, NODE_TIDS.upgrade, e, 'upgrade');
        } else setStep(e.node, e.step, e.t, e.detail === undefined ? {} : { detail: e.detail });
        break;
      case 'bootloader.flip':
        if (pid !== undefined && step.has(e.node)) setStep(e.node, 'flip', e.t, { default: e.default });
        if (pid !== undefined) instant(pid, NODE_TIDS.events, e, 'bootloader');
        break;
      case 'node.ready':
        if (pid !== undefined && step.get(e.node)?.name === 'reboot') endStep(e.node, e.t);
        if (pid !== undefined) instant(pid, NODE_TIDS.events, e, 'node');
        break;
      case 'boot.failed':
        if (pid !== undefined) {
          endStep(e.node, e.t);
          instant(pid, NODE_TIDS.upgrade, e, 'boot');
        }
        break;
      case 'orchestrator':
        if (e.step === 'cluster-formed') {
          formed = true;
          emitQuorum(e.t, leader !== null);
        }
        if (e.node !== undefined && (e.step === 'node-done' || e.step === 'node-failed'))
          endStep(e.node, e.t);
        instant(CLUSTER_PID, CLUSTER_TIDS.orchestrator, e, 'orchestrator');
        break;
      case 'etcd.member':
        memberNode.set(e.member, e.node);
        if (e.change === 'added') role.set(e.member, e.detail === 'learner' ? 'learner' : 'voter');
        else if (e.change === 'promoted') role.set(e.member, 'voter');
        else if (e.change === 'removed') role.delete(e.member);
        emitMembers(e.t);
        if (pid !== undefined) instant(pid, NODE_TIDS.events, e, 'etcd');
        break;
      case 'etcd.leader':
        leader = e.leader === null ? null : (memberNode.get(e.leader) ?? e.leader);
        emitQuorum(e.t, leader !== null);
        instant(CLUSTER_PID, CLUSTER_TIDS.etcd, e, 'etcd');
        break;
      case 'etcd.write':
        // One counter sample per write would dwarf the rest; the counter moves at the next other event.
        if (e.ok) ok++;
        else failed++;
        break;
      case 'etcd.commit':
        if (e.ok) ok += e.writes;
        else failed += e.writes;
        break;
      case 'fault.start':
      case 'fault.end': {
        const where = pid ?? CLUSTER_PID;
        body.push({
          name: e.node === undefined ? e.fault : `${e.fault} ${e.node}`,
          cat: 'fault',
          ph: e.type === 'fault.start' ? 'b' : 'e',
          id: `fault-${e.id}`,
          ts: us(e.t),
          pid: where,
          tid: pid === undefined ? CLUSTER_TIDS.faults : NODE_TIDS.events,
          args: { id: e.id, detail: e.detail },
        });
        break;
      }
      case 'violation':
        instant(CLUSTER_PID, CLUSTER_TIDS.invariants, e, 'violation', 'p');
        break;
      default:
        instant(
          pid ?? CLUSTER_PID,
          pid === undefined ? CLUSTER_TIDS.orchestrator : NODE_TIDS.events,
          e,
          e.type.split('.')[0] ?? e.type,
        );
    }
    if (e.type !== 'etcd.write' && e.type !== 'etcd.commit' && (ok > 0 || failed > 0)) {
      counter('etcd writes', e.t, { acknowledged: ok, failed });
    }
  }
  if (ok > 0 || failed > 0) counter('etcd writes', endMs, { acknowledged: ok, failed });
  for (const [node, o] of stage) slice(nodePid.get(node)!, NODE_TIDS.stage, 'stage', o, endMs);
  for (const node of [...step.keys()]) endStep(node, endMs);
  // A fault still active at the end of the trace ends there, so every "b" has its "e".
  const open = new Map<string, ChromeTraceEvent>();
  for (const b of body) {
    if (b.ph === 'b') open.set(b.id!, b);
    else if (b.ph === 'e') open.delete(b.id!);
  }
  for (const b of open.values())
    body.push({ ...b, ph: 'e', ts: us(endMs), args: { detail: 'end of trace' } });

  const name = (pid: number, tid: number, n: string) => {
    meta.push({ name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name: n } });
    meta.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid, tid, args: { sort_index: tid } });
  };
  const proc = (pid: number, n: string) => {
    meta.push({ name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: n } });
    meta.push({ name: 'process_sort_index', ph: 'M', ts: 0, pid, tid: 0, args: { sort_index: pid } });
  };
  proc(CLUSTER_PID, 'cluster');
  for (const [n, tid] of Object.entries(CLUSTER_TIDS)) name(CLUSTER_PID, tid, n);
  header.nodes.forEach((n) => {
    const pid = nodePid.get(n.name)!;
    proc(pid, `${n.name} (${n.role === 'controlplane' ? 'control plane' : 'worker'})`);
    for (const [t, tid] of Object.entries(NODE_TIDS)) name(pid, tid, t);
  });

  // Sorting by time (stable, so ties keep trace order) keeps the output deterministic and easy to diff.
  body.sort((a, b) => a.ts - b.ts);
  return {
    traceEvents: [...meta, ...body],
    displayTimeUnit: 'ms',
    otherData: {
      scenario: header.scenario,
      seed: header.seed,
      codeVersion: header.codeVersion,
      deterministic: header.deterministic,
    },
  };
}

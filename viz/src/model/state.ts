// The whole cluster state at one moment, as the side panel shows it, and how one event changes it.
// Checkpoints of the trace give this state directly (sim/trace/types.ts TraceCheckpoint); between them the
// viewer applies events. A test replays every trace from its start and checks that the result agrees
// with each checkpoint and with a seek from the nearest checkpoint (viz/src/model/state-at.ts).
import type { NodeCheckpoint, TraceCheckpoint, TraceHeader } from '../../../sim/trace/types.js';
import { nodeOf, type AnyEvent } from '../trace/events.js';

export type EtcdRole = 'voter' | 'learner' | 'absent';

export interface NodeView {
  name: string;
  role: 'controlplane' | 'worker';
  state: string;
  version: string | null;
  slot: string | null;
  ready: boolean;
  /** Current upgrade step (request, prechecks, cordon, drain, ..., install, flip, reboot) or null. */
  upgradeStep: string | null;
  slots: NodeCheckpoint['slots'];
  bootDefault: string | null;
  bootFallback: string | null;
  /** META upgrade fallback tag (FACTS §2): pending until the new slot is proven. */
  metaFallback: string | null;
  /** null on workers (no etcd member). */
  etcd: { member: string | null; role: EtcdRole; started: boolean; crashLoop: boolean } | null;
}

export interface FaultView {
  id: number;
  fault: string;
  node: string | null;
  detail: string;
  sinceMs: number;
}

export interface ClusterView {
  t: number;
  /** seq of the last event applied (-1 before any). */
  seq: number;
  phase: string | null;
  formed: boolean;
  nodes: NodeView[];
  /** The leader's node name (checkpoints name nodes; etcd.leader events name members). */
  leader: string | null;
  term: number;
  commitIndex: number;
  voters: number;
  learners: number;
  faults: FaultView[];
  partitions: string[][];
  writesOk: number;
  writesFailed: number;
  violations: number;
}

export function initialView(h: TraceHeader): ClusterView {
  return {
    t: 0,
    seq: -1,
    phase: null,
    formed: false,
    nodes: h.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      state: 'off',
      version: null,
      slot: null,
      ready: false,
      upgradeStep: null,
      slots: { A: null, B: null },
      bootDefault: null,
      bootFallback: null,
      metaFallback: null,
      etcd:
        n.role === 'controlplane' ? { member: null, role: 'absent', started: false, crashLoop: false } : null,
    })),
    leader: null,
    term: 0,
    commitIndex: 0,
    voters: 0,
    learners: 0,
    faults: [],
    partitions: [h.nodes.map((n) => n.name)],
    writesOk: 0,
    writesFailed: 0,
    violations: 0,
  };
}

export function cloneView(v: ClusterView): ClusterView {
  return structuredClone(v);
}

/** Counts voters and learners from the nodes (members of etcd are control-plane nodes). */
function recount(v: ClusterView): void {
  let voters = 0;
  let learners = 0;
  for (const n of v.nodes) {
    if (n.etcd?.role === 'voter') voters++;
    else if (n.etcd?.role === 'learner') learners++;
  }
  v.voters = voters;
  v.learners = learners;
}

/** Nodes that leave Running lose Ready; the simulator sends node.ready only when one becomes Ready. */
const READY_STATES = new Set(['running']);
/** A node that reboots into a new slot is in this part of its upgrade (FACTS §3 sequence). */
const UPGRADE_END = new Set(['failed', 'refused']);

/**
 * Applies one event. `memberNode` maps etcd member ids to node names (etcd.leader names a member) and is
 * updated from etcd.member events. Unknown event types change nothing but the clock.
 */
export function applyEvent(v: ClusterView, e: AnyEvent, memberNode: Map<string, string>): void {
  v.t = e.t;
  v.seq = e.seq;
  const node = v.nodes.find((n) => n.name === nodeOf(e));
  switch (e.type) {
    case 'node.state': {
      if (!node) break;
      const s = e as Extract<AnyEvent, { type: 'node.state' }>;
      node.state = s.state;
      node.version = s.version;
      node.slot = s.slot;
      if (!READY_STATES.has(s.state)) node.ready = false;
      if (node.upgradeStep !== null && s.state === 'rebooting') node.upgradeStep = 'reboot';
      break;
    }
    case 'node.ready':
      if (!node) break;
      node.ready = true;
      // A node that comes back Ready after its upgrade reboot has proven (or reverted from) the new slot.
      if (node.upgradeStep === 'reboot') node.upgradeStep = null;
      break;
    case 'slot.write': {
      if (!node) break;
      const w = e as Extract<AnyEvent, { type: 'slot.write' }>;
      const slot = w.slot === 'A' || w.slot === 'B' ? w.slot : null;
      if (slot === null) break;
      // The slot keeps its old content while the installer writes (a failed write leaves it so); a power
      // loss mid-write tears it (DESIGN.md, disk).
      if (w.phase === 'done') node.slots[slot] = { version: w.version, intact: true };
      else if (w.phase === 'torn') node.slots[slot] = { version: w.version, intact: false };
      break;
    }
    case 'bootloader.flip': {
      if (!node) break;
      const f = e as Extract<AnyEvent, { type: 'bootloader.flip' }>;
      node.bootDefault = f.default;
      node.bootFallback = f.fallback;
      if (node.upgradeStep !== null) node.upgradeStep = 'flip';
      break;
    }
    case 'meta': {
      if (!node) break;
      const m = e as Extract<AnyEvent, { type: 'meta' }>;
      if (m.key === 'upgradeFallback') node.metaFallback = m.value;
      break;
    }
    case 'upgrade.step': {
      if (!node) break;
      const s = e as Extract<AnyEvent, { type: 'upgrade.step' }>;
      node.upgradeStep = UPGRADE_END.has(s.step) ? null : s.step;
      // kubelet stops with the other services: the node is no longer Ready (models/node.ts stopServices).
      if (s.step === 'stop-services') node.ready = false;
      break;
    }
    case 'boot.failed':
      if (node && node.upgradeStep !== null) node.upgradeStep = null;
      break;
    case 'orchestrator': {
      const o = e as Extract<AnyEvent, { type: 'orchestrator' }>;
      if (o.step === 'cluster-formed') v.formed = true;
      if (node && (o.step === 'node-done' || o.step === 'node-failed')) node.upgradeStep = null;
      break;
    }
    case 'etcd.member': {
      const m = e as Extract<AnyEvent, { type: 'etcd.member' }>;
      memberNode.set(m.member, m.node);
      const etcd = node?.etcd;
      if (!etcd) break;
      switch (m.change) {
        case 'added':
          etcd.member = m.member;
          etcd.role = m.detail === 'learner' ? 'learner' : 'voter';
          break;
        case 'promoted':
          etcd.role = 'voter';
          break;
        case 'removed':
          if (etcd.member === m.member) {
            // No member, nothing started: the checkpoint's `started` belongs to the member.
            etcd.member = null;
            etcd.role = 'absent';
            etcd.started = false;
          }
          break;
        case 'started':
          etcd.started = true;
          etcd.crashLoop = false;
          break;
        case 'stopped':
          etcd.started = false;
          break;
        case 'service:crashLoop':
          etcd.crashLoop = true;
          break;
        case 'service:running':
        case 'service:joining':
        case 'service:learner':
          etcd.crashLoop = false;
          break;
      }
      recount(v);
      break;
    }
    case 'etcd.leader': {
      const l = e as Extract<AnyEvent, { type: 'etcd.leader' }>;
      v.leader = l.leader === null ? null : (memberNode.get(l.leader) ?? l.leader);
      v.term = l.term;
      break;
    }
    case 'etcd.write': {
      const w = e as Extract<AnyEvent, { type: 'etcd.write' }>;
      if (w.ok) {
        v.writesOk++;
        if (typeof w.index === 'number') v.commitIndex = Math.max(v.commitIndex, w.index);
      } else v.writesFailed++;
      break;
    }
    case 'etcd.commit': {
      const c = e as Extract<AnyEvent, { type: 'etcd.commit' }>;
      if (!c.ok) {
        v.writesFailed += c.writes;
        break;
      }
      v.writesOk += c.writes;
      if (typeof c.index === 'number') v.commitIndex = Math.max(v.commitIndex, c.index);
      break;
    }
    case 'fault.start': {
      const f = e as Extract<AnyEvent, { type: 'fault.start' }>;
      v.faults = v.faults.filter((x) => x.id !== f.id);
      v.faults.push({ id: f.id, fault: f.fault, node: f.node ?? null, detail: f.detail, sinceMs: f.t });
      break;
    }
    case 'fault.end': {
      const f = e as Extract<AnyEvent, { type: 'fault.end' }>;
      v.faults = v.faults.filter((x) => x.id !== f.id);
      break;
    }
    case 'phase':
      v.phase = (e as Extract<AnyEvent, { type: 'phase' }>).phase;
      break;
    case 'violation':
      v.violations++;
      break;
  }
}

/**
 * Overwrites the fields a trace checkpoint holds (it is authoritative: the simulator's own state) and keeps
 * what only the viewer derives (upgrade step, crash loop, fault details, write counters).
 */
export function applyCheckpoint(v: ClusterView, c: TraceCheckpoint, memberNode: Map<string, string>): void {
  v.t = c.t;
  for (const cn of c.nodes) {
    const n = v.nodes.find((x) => x.name === cn.name);
    if (!n) continue;
    n.state = cn.state;
    n.version = cn.version;
    n.slot = cn.bootedSlot;
    n.ready = cn.ready;
    n.slots = structuredClone(cn.slots);
    n.bootDefault = cn.bootloader.default;
    n.bootFallback = cn.bootloader.fallback;
    n.metaFallback = cn.meta?.upgradeFallback ?? null;
    if (n.etcd && cn.etcd) {
      n.etcd.member = cn.etcd.member;
      n.etcd.role = cn.etcd.member === null ? 'absent' : cn.etcd.learner ? 'learner' : 'voter';
      n.etcd.started = cn.etcd.started;
      if (cn.etcd.member !== null) memberNode.set(cn.etcd.member, cn.name);
    }
  }
  v.leader = c.etcd.leader === null ? null : (memberNode.get(c.etcd.leader) ?? c.etcd.leader);
  v.term = c.etcd.term;
  v.commitIndex = c.etcd.commitIndex;
  v.voters = c.etcd.voters;
  v.learners = c.etcd.learners;
  v.partitions = c.partitions.map((g) => [...g]);
}

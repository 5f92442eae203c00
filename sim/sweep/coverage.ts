// What a sweep exercised: for each fault that started, the role of the node it hit and where that node was
// in its upgrade at that moment. Summed over seeds, the matrix role x upgrade phase x fault kind shows a
// researcher what the sweep never tried (a power loss during `install` on a control plane, say), which a
// violation rate alone cannot. It watches the run's events (simulate's onEvent), so it sees exactly what a
// trace would show, in trace-less mode too.
import type { Scenario } from '../scenario/types.js';
import type { TraceEvent } from '../trace/types.js';

/** The upgrade phases in the order a node goes through them; steps seen outside this list are kept too. */
export const UPGRADE_PHASES = [
  'pending',
  'prechecks',
  'cordon',
  'drain',
  'leave-etcd',
  'stop-services',
  'install',
  'reboot',
  'done',
  'failed',
] as const;

/** The role of faults that name no node (a partition between groups). */
export const CLUSTER_ROLE = 'cluster';

export function coverageKey(role: string, phase: string, fault: string): string {
  return `${role}|${phase}|${fault}`;
}

export function splitCoverageKey(key: string): { role: string; phase: string; fault: string } {
  const [role = '', phase = '', fault = ''] = key.split('|');
  return { role, phase, fault };
}

/**
 * The fault kinds a scenario can inject, named as its `fault.start` trace lines name them (the matrix's
 * columns, so a kind never hit still shows): its scheduled faults, its `random:` arrivals and the kinds its
 * `fuzz:` block draws. A partition of one node is traced as `isolate` (sim/faults/partition.ts), and so are
 * the fuzz cuts; a fuzz `wipeReboot` is a disk wipe followed by a power loss (sim/testing/fault-schedule.ts).
 */
export function declaredFaultKinds(s: Scenario): string[] {
  const kinds = new Set<string>();
  for (const f of s.faults) {
    const oneNode = f.type === 'partition' && f.groups.length === 1 && f.groups[0]!.length === 1;
    kinds.add(oneNode ? 'isolate' : f.type);
  }
  for (const a of s.random?.arrivals ?? []) kinds.add(a.key);
  for (const k of s.fuzz?.kinds ?? []) for (const traced of FUZZ_TRACED[k] ?? [k]) kinds.add(traced);
  return [...kinds].sort();
}

/** Fuzz kinds whose faults are traced under other names. */
const FUZZ_TRACED: Partial<Record<string, readonly string[]>> = {
  oneWayCut: ['isolate'],
  peerCut: ['isolate'],
  wipeReboot: ['diskWipe', 'powerLoss'],
};

export interface CoverageWatcher {
  onEvent(e: TraceEvent): void;
  /** The distinct cells this run hit. */
  cells(): Set<string>;
}

/** Follows each node's upgrade phase through the events and records a cell per fault start. */
export function coverageWatcher(s: Scenario): CoverageWatcher {
  const role = new Map(s.cluster.nodes.map((n) => [n.name, n.role as string]));
  const phase = new Map<string, string>(s.cluster.nodes.map((n) => [n.name, 'pending']));
  const target = s.upgrade?.to ?? null;
  const hit = new Set<string>();
  return {
    onEvent(e) {
      switch (e.type) {
        case 'upgrade.step':
          // `request`/`accepted` only announce the upgrade; the sequence starts with the pre-checks.
          if (e.step !== 'request' && e.step !== 'accepted') phase.set(e.node, e.step);
          return;
        case 'node.state': {
          const p = phase.get(e.node);
          // Leaving `running` after the installer ran is the upgrade's reboot into the new slot.
          if (p === 'install' && e.state !== 'running') phase.set(e.node, 'reboot');
          return;
        }
        case 'node.ready': {
          const p = phase.get(e.node);
          if (p !== undefined && p !== 'pending') phase.set(e.node, e.version === target ? 'done' : 'failed');
          return;
        }
        case 'fault.start': {
          const node = e.node;
          const r = node === undefined ? CLUSTER_ROLE : (role.get(node) ?? CLUSTER_ROLE);
          const p = node === undefined ? 'any' : (phase.get(node) ?? 'any');
          hit.add(coverageKey(r, p, e.fault));
          return;
        }
        default:
          return;
      }
    },
    cells: () => hit,
  };
}

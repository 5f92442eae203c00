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

/** The fault kinds a scenario can inject: its scheduled faults' types and its random block's kinds. */
export function declaredFaultKinds(s: Scenario): string[] {
  const kinds = new Set<string>(s.faults.map((f) => f.type));
  if (s.random) {
    for (const [k, v] of Object.entries(s.random)) if (v !== null && typeof v === 'object') kinds.add(k);
  }
  return [...kinds].sort();
}

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

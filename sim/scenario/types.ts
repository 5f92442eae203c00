// The validated, normalised form of a scenario file (scenarios/*.yaml). The loader turns YAML into this;
// everything downstream reads only this. All times are integer milliseconds.
import type { BootloaderProfile, RebootMode, Role, TalosProfile } from '../../models/types.js';
import type { RangeMs } from '../engine/duration.js';
import type { FaultSpec, RandomArrival } from '../faults/index.js';
import type { FuzzSpec } from './fuzz.js';

export type InvariantName =
  'quorum' | 'bootable' | 'rollback' | 'durability' | 'single-upgrader' | 'convergence' | 'version-skew';

export const INVARIANT_NAMES: readonly InvariantName[] = [
  'quorum',
  'bootable',
  'rollback',
  'durability',
  'single-upgrader',
  'convergence',
  'version-skew',
];

export interface NodeSpec {
  name: string;
  role: Role;
  /** host:port of a real node agent; such a run is non-deterministic. */
  attach?: string;
}

export interface Timing {
  firmware: RangeMs;
  kernel: RangeMs;
  /** The boot sequence up to services started (excluding waiting for etcd). */
  init: RangeMs;
  /** From services up to Kubernetes node Ready. */
  ready: RangeMs;
  cordon: RangeMs;
  drain: RangeMs;
  install: RangeMs;
  /** One node API round trip (orchestrator <-> node). */
  api: RangeMs;
}

export interface UpgradePolicy {
  order: 'controlplane-first' | 'workers-first' | 'explicit';
  /** Node names in order, for order: explicit. */
  explicitOrder: string[];
  /** How many nodes of one role may be mid-upgrade at once. */
  parallel: number;
  /** Before each node: wait until etcd is healthy and every node is Ready. */
  healthGate: boolean;
  preserve: boolean;
  stage: boolean;
  force: boolean;
  rebootMode: RebootMode;
  /** Attempts per node beyond the first. */
  retries: number;
  /** How long to wait for one node to come back Ready on the target version. */
  nodeTimeoutMs: number;
  /** How long the health gate may wait before counting as a failure. */
  healthTimeoutMs: number;
  onFailure: 'halt' | 'skip' | 'continue';
  /** What a node does when its etcd data dir is empty: Talos rejoins as a learner (F§3); the naive way
   *  restarts etcd in place under its old member identity. */
  etcdRejoin: 'learner' | 'in-place';
}

export interface UpgradeSpec {
  to: string;
  atMs: number;
  policy: UpgradePolicy;
}

// One normalised fault entry: the union of the registered fault kinds' specs (sim/faults/index.ts).
export type { FaultSpec, RandomArrival } from '../faults/index.js';
/** Behaviours of older Talos releases that regression scenarios switch on (see models/node.ts). */
export type Quirk = 'flip-before-write' | 'no-learner-promotion';
export const QUIRKS: readonly Quirk[] = ['flip-before-write', 'no-learner-promotion'];

/** Matches a trace event: `type` exactly, every other field as a substring of the event's field. */
export interface EventMatcher {
  type: string;
  fields: Record<string, string>;
  /** Order: only events strictly after the first event matching `after` count. */
  after?: EventMatcher;
  /** Order: only events strictly before the first event matching `before` count (which must happen). */
  before?: EventMatcher;
  /** Timing: only events within this many ms of the `after` anchor (or of the run's start) count. */
  withinMs?: number;
}

export interface RandomFaults {
  /** One entry per kind given under `random:`, in the registry's order (the order they draw). */
  arrivals: RandomArrival[];
  maxConcurrent: number;
  /** Random faults start no earlier than this. */
  fromMs: number;
}

/** How workload writes appear in the trace (and on the scheduler). */
export type WorkloadTrace = 'batch' | 'each';

export interface Scenario {
  name: string;
  /** File the scenario came from, for messages. */
  file: string;
  seed: string | number;
  /** Simulated time bound of the safety phase plus the liveness phase. */
  durationMs: number;
  /** Faults stop at this time; after it the cluster must converge within `liveness.boundMs`. */
  liveness: { faultsUntilMs: number; boundMs: number };
  /** An explicit override of the Talos rules; null = each node follows its running version (F§3). */
  profile: TalosProfile | null;
  bootloader: BootloaderProfile;
  /** boot-counting profile: tries per new entry. */
  bootTries: number;
  cluster: { version: string; previousVersion: string | null; nodes: NodeSpec[] };
  quirks: Quirk[];
  timing: Timing;
  upgrade: UpgradeSpec | null;
  faults: FaultSpec[];
  random: RandomFaults | null;
  /** The fault space `upgradelab fuzz` explores (sim/scenario/fuzz.ts); absent in hand-built scenarios. */
  fuzz?: FuzzSpec | null;
  /**
   * `trace: batch` (default) writes the ticks between two events as one `etcd.commit` line; `each` writes
   * one `etcd.write` line (and one scheduler event) per write. Results are the same either way.
   */
  workload: { etcdWritesPerSecond: number; trace: WorkloadTrace };
  invariants: InvariantName[];
  /** Quorum invariant: tolerate loss of quorum caused by the injected faults alone. */
  quorumTolerateFaults: boolean;
  /** Checkpoint period in the trace. */
  checkpointEveryMs: number;
  expect: Expectation | null;
}

export interface Expectation {
  /** Invariants that must be violated. */
  violations: InvariantName[];
  /** Invariants that must hold. */
  holds: InvariantName[];
  /** Final facts: node name -> version it must end on. */
  finalVersions: Record<string, string>;
  writesLostMax: number | null;
  /** Nodes whose etcd member must end as a learner. */
  learners: string[];
  /** Final machine state per node (running, init, bootFailed, halted, maintenance, ...). */
  finalStates: Record<string, string>;
  /** Trace events that must appear at least once. */
  events: EventMatcher[];
  /** Trace events that must never appear. */
  absentEvents: EventMatcher[];
}

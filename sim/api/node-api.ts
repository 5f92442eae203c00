// The node API: the one interface through which the orchestrator (and any other client) drives nodes.
// The simulated cluster implements it on virtual time; the gRPC client implements it for real nodes
// (DESIGN.md, Real nodes). It is callback-based so a simulated call completes inside the scheduler's
// event loop: no promise continuation can slip between two virtual instants.
import type {
  BootFailStage,
  BootFault,
  Disk,
  Meta,
  RebootMode,
  Role,
  SlotLabel,
  WipeLabel,
} from '../../models/types.js';

/** Errors are values. `definite` follows Maelstrom: true only when the operation certainly did not happen. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: string; definite: boolean };
export type Reply<T> = (result: ApiResult<T>) => void;

export interface NodeStatus {
  name: string;
  role: Role;
  /** Machine stage: off, firmware, kernel, init, running, bootFailed, halted, maintenance, ... */
  state: string;
  version: string | null;
  ready: boolean;
  upgrading: boolean;
  etcd: { memberId: string; learner: boolean; started: boolean } | null;
}

/**
 * What the bootable, rollback and version-skew invariants read of a node (sim/invariants/): the machine
 * stage as the lab sees it ('off' while powered off), the running version, the booted slot, both slots'
 * images, the bootloader's default/fallback, META (tag 6, the boot-once and boot-count state) and the boot
 * faults the lab injected (a bad image is the lab's knowledge, not the disk's). A lab observer: it reads the
 * machine's disk, so it answers while the node is down (proto/PROTOCOL.md, Lab.SlotState).
 */
export interface SlotState {
  state: string;
  version: string | null;
  bootedSlot: SlotLabel | null;
  slots: Disk['boot'];
  bootloader: Disk['bootloader'];
  /** null when META was wiped. */
  meta: Meta | null;
  bootFaults: BootFault[];
}

export interface EtcdHealth {
  leader: string | null;
  /** `clientUrls`: where the member's etcd answers (real members only; a mixed run's workload writes there). */
  members: { id: string; name: string; learner: boolean; started: boolean; clientUrls?: string[] }[];
  /** A linearizable read through this node succeeded. */
  healthy: boolean;
}

export interface UpgradeOptions {
  image: string;
  preserve: boolean;
  stage: boolean;
  force: boolean;
  rebootMode: RebootMode;
}

export interface NodeApi {
  /** Names of the nodes this API reaches, in scenario order. */
  nodes(): readonly string[];
  /** The API's clock in ms (virtual for the simulator, wall-clock for real nodes) and a timer on it. */
  now(): number;
  after(delayMs: number, fn: () => void): void;

  status(node: string, reply: Reply<NodeStatus>): void;
  /**
   * Optional: the status of every node in one call through `via`, as an operator's health gate lists them
   * from the Kubernetes API (`kubectl get nodes`, `talosctl health`) instead of asking each node. A health
   * gate that polled every node would cost O(nodes) events per poll (issue 8); clients without this verb
   * are polled node by node.
   */
  clusterStatus?(via: string, reply: Reply<NodeStatus[]>): void;
  /** Optional: the node's slot state (a lab observer; answers while the node is down). */
  slotState?(node: string, reply: Reply<SlotState>): void;
  upgrade(node: string, options: UpgradeOptions, reply: Reply<string>): void;
  rollback(node: string, reply: Reply<string>): void;
  reboot(node: string, mode: RebootMode, reply: Reply<string>): void;
  etcdHealth(node: string, reply: Reply<EtcdHealth>): void;
  /** Wipe labels and reboot; graceful first cordons, drains and leaves etcd (refused on a 1-member cluster). */
  reset(node: string, options: ResetOptions, reply: Reply<string>): void;
  /** Remove an etcd member through this node (etcdctl member remove). */
  etcdRemoveMember(node: string, memberId: string, reply: Reply<string>): void;

  // The lab's fault verbs: they act on the machine, not through its API, so they work on a node that is down.
  powerOff(node: string, reply: Reply<string>): void;
  powerOn(node: string, reply: Reply<string>): void;
  wipe(node: string, label: WipeLabel, reply: Reply<string>): void;
  isolate(node: string, reply: Reply<string>): void;
  heal(node: string, reply: Reply<string>): void;
  failNextBoot(node: string, version: string, stage: BootFailStage, reply: Reply<string>): void;
}

export type { WipeLabel };

export interface ResetOptions {
  graceful: boolean;
  labels: WipeLabel[];
}

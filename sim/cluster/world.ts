// The simulated world: node actors, their etcd services, the etcd cluster, the network and the workload,
// all on one scheduler. The world executes what the models request (their emitted effects) and answers
// them with events, always through the scheduler so every step is an ordered (time, seq) event. This file
// wires the actors and holds the state; effects.ts turns model effects into trace lines and etcd-driver.ts
// drives the etcd cluster model for them (the pre-check rules are the pure models/precheck.ts).
import { createActor, type Actor } from 'xstate';
import { EtcdCluster, type EtcdOptions } from '../../models/etcd-cluster.js';
import { etcdServiceMachine, type EtcdServiceEmitted } from '../../models/etcd-service.js';
import { Network } from '../../models/network.js';
import { nodeMachine, type NodeEmitted, type UpgradeRequest } from '../../models/node.js';
import type { BootFault } from '../../models/types.js';
import type { Role, WipeLabel } from '../../models/types.js';
import { hasBootableSlot } from '../../models/bootloader.js';
import { virtualClock } from '../engine/clock.js';
import type { Rng } from '../engine/rng.js';
import type { Scheduler } from '../engine/scheduler.js';
import type { Scenario } from '../scenario/types.js';
import type { TraceEventBody } from '../trace/types.js';
import { etcdChange, nodeEffect } from './effects.js';
import { EtcdDriver } from './etcd-driver.js';
import { UpgradeMutex } from './upgrade-mutex.js';

export type TraceFn = (body: TraceEventBody) => void;

export interface SimNode {
  name: string;
  role: Role;
  actor: Actor<typeof nodeMachine>;
  etcd: Actor<typeof etcdServiceMachine> | null;
  /** Last emitted machine state name. */
  state: string;
  etcdState: string;
  /** Node is waiting in its boot sequence for a linearizable read to succeed. */
  waitingForEtcd: boolean;
  /** Node is Running and waits for its Kubernetes node to be Ready (needs a working API server, F§2). */
  waitingForKube: boolean;
  /** etcdLeaveFails fault: remaining failures (null = always, 0 = none). */
  leaveFailures: number | null;
  /** etcdLeaveFails fault: the removal takes effect although the call fails. */
  leaveFailureApplied: boolean;
  /** The version the node ran before its current upgrade (for the rollback invariant). */
  previousVersion: string | null;
  /** From an accepted upgrade request until the node is Ready again (single-upgrader invariant). */
  midUpgrade: boolean;
}

export class World {
  readonly nodes: SimNode[] = [];
  readonly byName = new Map<string, SimNode>();
  private readonly indexByName = new Map<string, number>();
  /** Nodes whose actor moved or that emitted an effect since `takeDirty()` (the invariant monitor's input). */
  private dirtyNodes = new Set<string>();
  private spareDirty = new Set<string>();
  /**
   * One set per consumer that asked (trackChanges): the nodes that moved or emitted an effect since that
   * consumer last looked. Incremental checkpoints and the API's node list rebuild only these (issue 8).
   */
  private readonly changeSets: Set<string>[] = [];
  /** Nodes that may wait on etcd or on their Kubernetes node (settle() looks at these only). */
  private readonly waiting = new Set<SimNode>();
  readonly network: Network;
  /** Cuts of etcd peer traffic only (port 2380): raft stops, client and API traffic still flow. */
  readonly peerNetwork: Network;
  readonly etcd: EtcdCluster;
  /** Executes the etcd side of the models (etcd-driver.ts). */
  readonly etcdDriver: EtcdDriver;
  private readonly controlPlanes: SimNode[];
  private etcdDirty = true;
  /** The cluster-wide upgrade mutex of Talos's Upgrade handler (F§3). */
  readonly upgradeMutex = new UpgradeMutex();
  /** The virtual time of the scheduled wake-up for the model's pending election, if any. */
  private etcdWakeAtMs: number | null = null;
  private modelError: { node: string; err: unknown } | null = null;
  private nextRequestId = 1;
  private readonly pendingReplies = new Map<number, (ok: boolean, detail: string) => void>();
  writesAttempted = 0;
  writesAcknowledged = 0;
  /**
   * Set only by a mixed run (sim/remote/mixed/), whose control planes and etcd are real: whether their
   * Kubernetes API answers. Simulated workers then wait on it instead of on this world's (empty) etcd.
   */
  externalKubeApi: (() => boolean) | null = null;

  constructor(
    readonly scenario: Scenario,
    readonly scheduler: Scheduler,
    rng: Rng,
    /** Internal to sim/cluster (effects.ts, etcd-driver.ts): where trace lines go. */
    readonly trace: TraceFn,
    /** The node model; tests pass a deliberately broken variant (canaries). */
    machine: typeof nodeMachine = nodeMachine,
    /** etcd options; tests pass deliberately wrong ones (mutation tests of the regression library). */
    etcdOptions: Partial<EtcdOptions> = {},
    serviceMachine: typeof etcdServiceMachine = etcdServiceMachine,
  ) {
    const names = scenario.cluster.nodes.map((n) => n.name);
    this.network = new Network(names);
    this.peerNetwork = new Network(names);
    this.etcdDriver = new EtcdDriver(this);
    this.etcd = new EtcdCluster({ ...etcdOptions, now: () => scheduler.now }, (change) =>
      etcdChange(this, change),
    );
    this.etcd.setConnectivity((a, b) => this.network.connected(a, b) && this.peerNetwork.connected(a, b));
    this.etcd.setClientConnectivity((a, b) => this.network.connected(a, b));
    const cps = scenario.cluster.nodes.filter((n) => n.role === 'controlplane').map((n) => n.name);
    const ids = this.etcd.bootstrap(cps);
    for (const id of ids) this.etcd.stop(id, false);
    const clock = virtualClock(scheduler);
    const timingStream = rng.stream('timing');
    for (const spec of scenario.cluster.nodes) {
      const memberIndex = cps.indexOf(spec.name);
      const actor = createActor(machine, {
        clock,
        input: {
          name: spec.name,
          role: spec.role,
          profile: scenario.profile,
          bootloader: scenario.bootloader,
          bootTries: scenario.bootTries,
          timing: scenario.timing,
          rngSeed: timingStream.u32(),
          version: scenario.cluster.version,
          etcdMemberId: memberIndex >= 0 ? ids[memberIndex]! : null,
          previousVersion: scenario.cluster.previousVersion,
          quirks: { flipBeforeWrite: scenario.quirks.includes('flip-before-write') },
        },
      });
      const etcd =
        spec.role === 'controlplane'
          ? createActor(serviceMachine, { clock, input: { node: spec.name } })
          : null;
      const node: SimNode = {
        name: spec.name,
        role: spec.role,
        actor,
        etcd,
        state: 'off',
        etcdState: 'stopped',
        waitingForEtcd: false,
        waitingForKube: false,
        leaveFailures: 0,
        leaveFailureApplied: false,
        previousVersion: null,
        midUpgrade: false,
      };
      actor.on('*', (e) => nodeEffect(this, node, e as NodeEmitted));
      // XState catches exceptions thrown inside actions and would re-throw them later from a timer; a
      // model exception is a simulator bug, so it is kept and re-thrown by settle() after this event.
      actor.subscribe({
        next: () => this.markDirty(spec.name),
        error: (err) => (this.modelError ??= { node: spec.name, err }),
      });
      etcd?.on('*', (e) => this.etcdDriver.serviceEffect(node, e as EtcdServiceEmitted));
      etcd?.subscribe({ error: (err) => (this.modelError ??= { node: spec.name, err }) });
      this.indexByName.set(spec.name, this.nodes.length);
      this.nodes.push(node);
      this.byName.set(spec.name, node);
    }
    this.controlPlanes = this.nodes.filter((n) => n.role === 'controlplane');
    for (const n of this.nodes) {
      n.actor.start();
      n.etcd?.start();
    }
  }

  node(name: string): SimNode {
    const n = this.byName.get(name);
    if (!n) throw new Error(`World: unknown node '${name}'`);
    return n;
  }

  /** The node's position in the scenario's node order. */
  indexOf(name: string): number {
    const i = this.indexByName.get(name);
    if (i === undefined) throw new Error(`World: unknown node '${name}'`);
    return i;
  }

  /**
   * The nodes that may have changed since the last call (each actor transition or effect marks one). The
   * set is reused: it is valid until the next call (two sets take turns, so an event allocates none).
   */
  takeDirty(): ReadonlySet<string> {
    const d = this.dirtyNodes;
    const spare = this.spareDirty;
    spare.clear();
    this.dirtyNodes = spare;
    this.spareDirty = d;
    return d;
  }

  /**
   * From now on, keep the nodes that change for one more consumer. The returned function gives the nodes
   * that may have changed since its previous call (or since tracking began), as a set valid until then.
   */
  trackChanges(): () => ReadonlySet<string> {
    let current = new Set<string>();
    let spare = new Set<string>();
    const index = this.changeSets.length;
    this.changeSets.push(current);
    return () => {
      const d = current;
      spare.clear();
      current = spare;
      spare = d;
      this.changeSets[index] = current;
      return d;
    };
  }

  /** Power on every node at t=0; the cluster forms from scratch like a fresh bootstrap. */
  powerOnAll(): void {
    for (const n of this.nodes) n.actor.send({ type: 'POWER_ON' });
  }

  // ---- engine hooks -------------------------------------------------------------------------------

  /** Runs after every scheduler event: settle etcd and wake nodes whose boot waits on etcd. */
  settle(): void {
    if (this.modelError) {
      const { node, err } = this.modelError;
      throw new Error(
        `model of node ${node} threw at t=${this.scheduler.now} ms: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    if (this.etcdDirty) {
      this.etcdDirty = false;
      this.etcd.recompute();
    }
    // A pending election completes at a virtual time (F§4 timing): wake the model then.
    const due = this.etcd.nextDeadlineMs();
    if (due !== null && due !== this.etcdWakeAtMs && due >= this.scheduler.now) {
      this.etcdWakeAtMs = due;
      this.scheduler.at(due, () => {
        if (this.etcdWakeAtMs === due) this.etcdWakeAtMs = null;
        this.etcdDirty = true;
      });
    }
    if (this.waiting.size === 0) return;
    // In node order, as a scan of every node would wake them (the order of the wake-up events).
    const waiting = [...this.waiting].sort((a, b) => this.indexOf(a.name) - this.indexOf(b.name));
    for (const n of waiting) {
      if (!n.waitingForEtcd) continue;
      const m = this.etcd.memberByName(n.name);
      if (m && this.etcd.linearizableRead(m.id)) {
        n.waitingForEtcd = false;
        this.scheduler.after(0, () => n.actor.send({ type: 'ETCD_HEALTHY' }));
      }
    }
    for (const n of waiting) {
      if (!n.waitingForKube || !this.kubeApiReachable(n.name)) continue;
      n.waitingForKube = false;
      this.scheduler.after(0, () => n.actor.send({ type: 'KUBE_NODE_READY' }));
    }
    for (const n of waiting) if (!n.waitingForEtcd && !n.waitingForKube) this.waiting.delete(n);
  }

  /**
   * Can this node's kubelet reach a working Kubernetes API server? One runs on every Running control plane
   * and works while its etcd member answers a linearizable read, i.e. has a leader and is a voter (F§2).
   */
  kubeApiReachable(name: string): boolean {
    if (this.externalKubeApi) return this.externalKubeApi();
    for (const cp of this.controlPlanes) {
      if (cp.state !== 'running') continue;
      if (cp.name !== name && !this.network.connected(name, cp.name)) continue;
      const m = this.etcd.memberByName(cp.name);
      if (m && this.etcd.linearizableRead(m.id)) return true;
    }
    return false;
  }

  markEtcdDirty(): void {
    this.etcdDirty = true;
  }

  // ---- bookkeeping for effects.ts and etcd-driver.ts ----------------------------------------------

  /** The node moved or emitted an effect (the invariant monitor's input). */
  markDirty(name: string): void {
    this.dirtyNodes.add(name);
    const sets = this.changeSets;
    for (let i = 0; i < sets.length; i++) sets[i]!.add(name);
  }

  /** The node waits on etcd or on its Kubernetes node: settle() looks at it until it no longer does. */
  addWaiting(node: SimNode): void {
    this.waiting.add(node);
  }

  /** The callback of an API request, removed: each reply is delivered once. */
  takeReply(requestId: number): ((ok: boolean, detail: string) => void) | undefined {
    const done = this.pendingReplies.get(requestId);
    this.pendingReplies.delete(requestId);
    return done;
  }

  // ---- faults -------------------------------------------------------------------------------------

  powerLoss(name: string): void {
    this.node(name).actor.send({ type: 'POWER_LOSS' });
  }

  powerOn(name: string): void {
    const n = this.node(name);
    if (n.actor.getSnapshot().matches('off')) n.actor.send({ type: 'POWER_ON' });
  }

  wipe(name: string, label: WipeLabel): void {
    this.node(name).actor.send({ type: 'WIPE', label });
  }

  injectBootFault(name: string, fault: BootFault): void {
    this.node(name).actor.send({ type: 'INJECT_BOOT_FAULT', fault });
  }

  setBootFull(name: string, full: boolean): void {
    this.node(name).actor.send({ type: 'SET_BOOT_FULL', full });
  }

  setLeaveFailures(name: string, times: number | null, applied = false): void {
    this.node(name).leaveFailures = times;
    this.node(name).leaveFailureApplied = applied;
  }

  setInstallFailure(name: string, reason: string | null): void {
    this.node(name).actor.send({ type: 'SET_INSTALL_FAILURE', reason });
  }

  setImagePullFailure(name: string, reason: string | null): void {
    this.node(name).actor.send({ type: 'SET_IMAGE_PULL_FAILURE', reason });
  }

  setBusyMounts(name: string, busy: boolean): void {
    this.node(name).actor.send({ type: 'SET_BUSY_MOUNTS', busy });
  }

  /** An operator removes `name`'s etcd member through node `via` (etcdctl member remove). */
  removeMemberOf(name: string, via: string): string {
    this.settle();
    const m = this.etcd.memberByName(name);
    if (!m) return `${name} has no etcd member`;
    const r = this.etcd.removeMember(m.id, via);
    this.etcdDirty = true;
    return r.ok
      ? `removed ${m.id} (${name}) via ${via}`
      : `remove ${m.id} via ${via} failed: ${r.error.code}`;
  }

  // ---- queries (used by the API, invariants and checkpoints) --------------------------------------

  nodeContext(name: string) {
    return this.node(name).actor.getSnapshot().context;
  }

  /** One slot both loads on a power cycle and boots (models/bootloader.ts slotBoots, F§2). */
  isBootable(name: string): boolean {
    const c = this.nodeContext(name);
    return hasBootableSlot(c.disk, c.bootFaults);
  }

  isMidUpgrade(name: string): boolean {
    return this.node(name).midUpgrade;
  }

  // ---- the simulated node API's raw verbs ---------------------------------------------------------

  /** Send an API request to a node's model; `done` runs when the node emits its reply. */
  request(send: (requestId: number) => void, done: (ok: boolean, detail: string) => void): void {
    const id = this.nextRequestId++;
    this.pendingReplies.set(id, done);
    send(id);
  }

  upgradeRequest(
    name: string,
    req: Omit<UpgradeRequest, 'requestId'>,
    done: (ok: boolean, detail: string) => void,
  ): void {
    this.request(
      (requestId) => this.node(name).actor.send({ type: 'API_UPGRADE', request: { ...req, requestId } }),
      done,
    );
  }

  // ---- workload -----------------------------------------------------------------------------------

  /** One client write to etcd; acknowledged only when committed. */
  write(): void {
    this.settle();
    const id = ++this.writesAttempted;
    const r = this.etcd.write(id);
    if (r.ok) this.writesAcknowledged++;
    this.trace(
      r.ok
        ? { type: 'etcd.write', id, ok: true, index: r.index }
        : { type: 'etcd.write', id, ok: false, error: r.error.code },
    );
  }

  /**
   * The client's writes sent from `fromMs` to now, one per workload tick, as one batch (workload.trace:
   * batch): the cluster did not change in between, so they share one answer (EtcdCluster.writeBatch).
   */
  writeBatch(count: number, fromMs: number): void {
    this.settle();
    const firstId = this.writesAttempted + 1;
    this.writesAttempted += count;
    const r = this.etcd.writeBatch(firstId, count);
    if (r.ok) this.writesAcknowledged += count;
    this.trace(
      r.ok
        ? {
            type: 'etcd.commit',
            writes: count,
            ok: true,
            firstId,
            fromMs,
            fromIndex: r.fromIndex,
            index: r.index,
          }
        : { type: 'etcd.commit', writes: count, ok: false, firstId, fromMs, error: r.error.code },
    );
  }
}

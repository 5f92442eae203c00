// The simulated world: node actors, their etcd services, the etcd cluster, the network and the workload,
// all on one scheduler. The world executes what the models request (their emitted effects) and answers
// them with events, always through the scheduler so every step is an ordered (time, seq) event.
import { createActor, type Actor } from 'xstate';
import { EtcdCluster, type EtcdError, type EtcdOptions } from '../../models/etcd-cluster.js';
import {
  ETCD_SERVICE_TIMING,
  etcdServiceMachine,
  type EtcdServiceEmitted,
} from '../../models/etcd-service.js';
import { Network } from '../../models/network.js';
import { nodeMachine, type NodeEmitted, type UpgradeRequest } from '../../models/node.js';
import type { BootFault, TalosProfile } from '../../models/types.js';
import type { Role, WipeLabel } from '../../models/types.js';
import { hasBootableSlot } from '../../models/bootloader.js';
import { etcdPrecheck } from '../../models/precheck.js';
import { virtualClock } from '../engine/clock.js';
import type { Rng } from '../engine/rng.js';
import type { Scheduler } from '../engine/scheduler.js';
import type { Scenario } from '../scenario/types.js';
import type { TraceEventBody } from '../trace/types.js';
import { UpgradeMutex } from './upgrade-mutex.js';

export type TraceFn = (body: TraceEventBody) => void;

/** An etcd error as the service logs it: the code and etcd's own message. */
function etcdError(e: EtcdError): string {
  return `${e.code}: ${e.message}`;
}

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

/** Cordon waits at most this for the Kubernetes API (F§3), polling it this often. */
const KUBE_API_WAIT_MS = 60_000;
const KUBE_API_POLL_MS = 1_000;
/** Latency of one etcd RPC from a node's etcd client. */
const ETCD_RPC_MS = 5;

export class World {
  readonly nodes: SimNode[] = [];
  readonly byName = new Map<string, SimNode>();
  private readonly indexByName = new Map<string, number>();
  /** Nodes whose actor moved or that emitted an effect since `takeDirty()` (the invariant monitor's input). */
  private dirtyNodes = new Set<string>();
  /** Nodes that may wait on etcd or on their Kubernetes node (settle() looks at these only). */
  private readonly waiting = new Set<SimNode>();
  readonly network: Network;
  /** Cuts of etcd peer traffic only (port 2380): raft stops, client and API traffic still flow. */
  readonly peerNetwork: Network;
  readonly etcd: EtcdCluster;
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
    private readonly trace: TraceFn,
    /** The node model; tests pass a deliberately broken variant (canaries). */
    machine: typeof nodeMachine = nodeMachine,
    /** etcd options; tests pass deliberately wrong ones (mutation tests of the regression library). */
    etcdOptions: Partial<EtcdOptions> = {},
    serviceMachine: typeof etcdServiceMachine = etcdServiceMachine,
  ) {
    const names = scenario.cluster.nodes.map((n) => n.name);
    this.network = new Network(names);
    this.peerNetwork = new Network(names);
    this.etcd = new EtcdCluster({ ...etcdOptions, now: () => scheduler.now }, (change) =>
      this.onEtcdChange(change),
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
      actor.on('*', (e) => this.onNodeEffect(node, e as NodeEmitted));
      // XState catches exceptions thrown inside actions and would re-throw them later from a timer; a
      // model exception is a simulator bug, so it is kept and re-thrown by settle() after this event.
      actor.subscribe({
        next: () => this.dirtyNodes.add(spec.name),
        error: (err) => (this.modelError ??= { node: spec.name, err }),
      });
      etcd?.on('*', (e) => this.onEtcdServiceEffect(node, e as EtcdServiceEmitted));
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

  /** The nodes that may have changed since the last call (each actor transition or effect marks one). */
  takeDirty(): Set<string> {
    const d = this.dirtyNodes;
    this.dirtyNodes = new Set();
    return d;
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

  // ---- effects ------------------------------------------------------------------------------------

  private onNodeEffect(node: SimNode, e: NodeEmitted): void {
    const name = node.name;
    this.dirtyNodes.add(name);
    switch (e.type) {
      case 'state': {
        node.state = e.state;
        const c = node.actor.getSnapshot().context;
        if (e.state !== 'init') node.waitingForEtcd = false;
        if (e.state !== 'running') node.waitingForKube = false;
        this.trace({
          type: 'node.state',
          node: name,
          state: e.state,
          version: c.version,
          slot: c.bootedSlot,
        });
        return;
      }
      case 'boot.decision':
        this.trace({ type: 'boot.decision', node: name, slot: e.slot, reason: e.reason, mode: e.mode });
        return;
      case 'boot.failed':
        this.trace({
          type: 'boot.failed',
          node: name,
          stage: e.stage,
          version: e.version,
          reverted: e.reverted,
        });
        return;
      case 'slot.write':
        this.trace({ type: 'slot.write', node: name, slot: e.slot, version: e.version, phase: e.phase });
        return;
      case 'bootloader.flip':
        this.trace({ type: 'bootloader.flip', node: name, default: e.default, fallback: e.fallback });
        return;
      case 'meta':
        this.trace({ type: 'meta', node: name, key: e.key, value: e.value });
        return;
      case 'disk.wipe':
        this.trace({ type: 'disk.wipe', node: name, label: e.label });
        return;
      case 'ready':
        node.midUpgrade = false;
        this.trace({ type: 'node.ready', node: name, version: e.version });
        return;
      case 'upgrade.step':
        if (e.step === 'request') node.previousVersion = node.actor.getSnapshot().context.version;
        if (e.step === 'accepted') node.midUpgrade = true;
        // Refused, or a 1.13 live install that failed and stopped without a reboot (F§3).
        if (e.step === 'refused' || e.step === 'stopped') node.midUpgrade = false;
        this.trace(
          e.detail === undefined
            ? { type: 'upgrade.step', node: name, step: e.step }
            : { type: 'upgrade.step', node: name, step: e.step, detail: e.detail },
        );
        return;
      case 'api.reply': {
        const done = this.pendingReplies.get(e.requestId);
        if (done) {
          this.pendingReplies.delete(e.requestId);
          done(e.ok, e.detail);
        }
        return;
      }
      case 'kube.awaitNodeReady':
        node.waitingForKube = true;
        this.waiting.add(node);
        return;
      case 'etcd.start':
        node.waitingForEtcd = true;
        this.waiting.add(node);
        this.scheduler.after(0, () => this.startEtcdService(node));
        return;
      case 'etcd.stop': {
        if (!node.etcd) return;
        node.waitingForEtcd = false;
        const m = this.memberOf(node);
        if (m && !e.graceful) {
          this.etcd.crash(m);
          this.etcdDirty = true;
        }
        node.etcd.send({ type: 'STOP' });
        return;
      }
      case 'etcd.dataWiped': {
        const m = this.memberOf(node);
        if (m) {
          this.etcd.dataLost(m);
          this.etcdDirty = true;
        }
        // A running member whose data vanished dies with it.
        if (node.etcdState === 'running' || node.etcdState === 'learner') {
          this.scheduler.after(0, () => node.etcd?.send({ type: 'EXITED', reason: 'data dir removed' }));
        }
        return;
      }
      case 'etcd.leave':
        this.scheduler.after(ETCD_RPC_MS, () => this.leaveEtcd(node));
        return;
      case 'kube.api':
        this.scheduler.after(ETCD_RPC_MS, () => this.kubeApi(node, e.purpose, this.scheduler.now));
        return;
      case 'precheck':
        this.scheduler.after(ETCD_RPC_MS, () => this.precheck(node, e.rules, e.preserve));
        return;
    }
  }

  /** Start (or restart) a node's etcd service with its data dir as it is now. */
  private startEtcdService(node: SimNode): void {
    const dataDir = node.actor.getSnapshot().context.disk.ephemeral.etcd;
    const old = this.etcd.memberByName(node.name);
    const rejoin = this.scenario.upgrade?.policy.etcdRejoin ?? 'learner';
    const promote = !this.scenario.quirks.includes('no-learner-promotion');
    node.etcd!.send({
      type: 'START',
      memberId: dataDir?.memberId ?? null,
      oldMemberId: old?.id ?? null,
      rejoin,
      promote,
    });
  }

  /**
   * Which node's etcd serves this node's membership requests (Talos joins and promotes through a client
   * over the control planes' endpoints): its own member when that is a started voter, else the first
   * started voter it reaches. The model routes each request through the member that serves it (F§4).
   */
  private clientEndpoint(node: SimNode): string {
    const own = this.etcd.memberByName(node.name);
    if (own && own.started && !own.learner) return node.name;
    for (const m of this.etcd.members()) {
      if (m.started && !m.learner && this.network.connected(node.name, m.name)) return m.name;
    }
    return node.name;
  }

  /** For traces: the data dir's member id, else the member listed under the node's name. */
  private memberLabel(node: SimNode): string {
    return (
      node.actor.getSnapshot().context.disk.ephemeral.etcd?.memberId ??
      this.etcd.memberByName(node.name)?.id ??
      '-'
    );
  }

  /** The member id recorded in this node's etcd data dir, or the member listed under its hostname. */
  private memberOf(node: SimNode): string | null {
    const dir = node.actor.getSnapshot().context.disk.ephemeral.etcd;
    if (dir) return this.etcd.hasMember(dir.memberId) ? dir.memberId : null;
    return this.etcd.memberByName(node.name)?.id ?? null;
  }

  private leaveEtcd(node: SimNode): void {
    this.settle();
    let result: { ok: boolean; reason: string };
    if (node.leaveFailures === null || node.leaveFailures > 0) {
      // T#7423/T#8759: the leave RPC fails with "server stopped". When `applied`, the member was removed
      // all the same: the error is indefinite, and the node believes it is still a member.
      if (node.leaveFailures !== null) node.leaveFailures--;
      const m = this.memberOf(node);
      if (node.leaveFailureApplied && m) {
        this.etcd.removeMember(m, node.name);
        this.etcdDirty = true;
      }
      result = { ok: false, reason: 'etcdserver: server stopped' };
    } else {
      const m = this.memberOf(node);
      if (!m) result = { ok: true, reason: 'not a member' };
      else {
        const r = this.etcd.removeMember(m, node.name);
        result = r.ok ? { ok: true, reason: 'left' } : { ok: false, reason: etcdError(r.error) };
        this.etcdDirty = true;
      }
    }
    this.trace({
      type: 'etcd.member',
      node: node.name,
      member: this.memberLabel(node),
      change: result.ok ? 'leave' : 'leave-failed',
      detail: result.reason,
    });
    node.actor.send({ type: 'ETCD_LEAVE_RESULT', ok: result.ok, reason: result.reason });
  }

  /**
   * The control-plane part of Talos's Upgrade handler (F§3): TryLock the cluster-wide upgrade mutex (a
   * request that finds it held is refused at once), run the etcd pre-checks (models/precheck.ts) and
   * release the mutex when the call returns. The result goes to the node when the checks are done.
   */
  private precheck(node: SimNode, rules: TalosProfile, preserve: boolean): void {
    this.settle();
    const reply = (ok: boolean, reason: string) => node.actor.send({ type: 'PRECHECK_RESULT', ok, reason });
    const lock = this.upgradeMutex.tryLock(node.name, this.etcd.leader() !== null);
    this.trace({
      type: 'upgrade.step',
      node: node.name,
      step: lock.ok ? 'mutex-locked' : 'mutex-refused',
      ...(lock.ok ? {} : { detail: lock.reason }),
    });
    if (!lock.ok) return void reply(false, lock.reason);
    const verdict = etcdPrecheck({
      rules,
      preserve,
      members: this.etcd.members().map((m) => ({
        id: m.id,
        name: m.name,
        learner: m.learner,
        started: m.started,
        readError: this.readErrorText(m.id),
      })),
    });
    this.scheduler.after(verdict.tookMs, () => {
      this.upgradeMutex.unlock(node.name);
      this.trace({ type: 'upgrade.step', node: node.name, step: 'mutex-unlocked' });
      if (!verdict.ok) return void reply(false, verdict.reason);
      if (!this.memberOf(node)) return void reply(false, 'this node is not an etcd member');
      reply(true, 'ok');
    });
  }

  /**
   * The Kubernetes API answers only while etcd has a leader (F§2). Cordon waits for it at most 1 min;
   * drain lists the pods once and fails if it cannot (F§3).
   */
  private kubeApi(node: SimNode, purpose: 'cordon' | 'drain', sinceMs: number): void {
    this.settle();
    const reply = (ok: boolean, reason: string) => node.actor.send({ type: 'KUBE_API_RESULT', ok, reason });
    if (this.externalKubeApi ? this.externalKubeApi() : this.etcd.leader() !== null)
      return void reply(true, 'ok');
    if (purpose === 'drain')
      return void reply(false, 'the Kubernetes API is unavailable (etcd has no leader)');
    if (this.scheduler.now - sinceMs >= KUBE_API_WAIT_MS) {
      return void reply(false, 'the Kubernetes API did not answer within 1 min (etcd has no leader)');
    }
    this.scheduler.after(KUBE_API_POLL_MS, () => this.kubeApi(node, purpose, sinceMs));
  }

  /** A failed linearizable read as the client sees it: etcd's own error (F§4), or null if it answers. */
  private readErrorText(id: string): string | null {
    const err = this.etcd.linearizableReadError(id);
    return err === null ? null : etcdError(err);
  }

  private onEtcdServiceEffect(node: SimNode, e: EtcdServiceEmitted): void {
    const svc = node.etcd!;
    this.dirtyNodes.add(node.name);
    const reply = (ok: boolean, extra: { error?: string; memberId?: string; learner?: boolean } = {}) =>
      this.scheduler.after(ETCD_RPC_MS, () => svc.send({ type: 'RESULT', ok, ...extra }));
    switch (e.type) {
      case 'state':
        node.etcdState = e.state;
        this.trace({
          type: 'etcd.member',
          node: node.name,
          member: this.memberLabel(node),
          change: `service:${e.state}`,
          ...(e.detail ? { detail: e.detail } : {}),
        });
        return;
      case 'removeByName': {
        this.settle();
        const old = this.etcd.memberByName(node.name);
        if (!old) return void reply(true);
        const r = this.etcd.removeMember(old.id, this.clientEndpoint(node));
        this.etcdDirty = true;
        return void reply(r.ok, r.ok ? {} : { error: etcdError(r.error) });
      }
      case 'addVoter': {
        this.settle();
        const r = this.etcd.addVoter(node.name, this.clientEndpoint(node));
        this.etcdDirty = true;
        return void reply(r.ok, r.ok ? { memberId: r.id } : { error: etcdError(r.error) });
      }
      case 'addLearner': {
        this.settle();
        const r = this.etcd.addLearner(node.name, this.clientEndpoint(node));
        this.etcdDirty = true;
        return void reply(r.ok, r.ok ? { memberId: r.id } : { error: etcdError(r.error) });
      }
      case 'identity':
        node.actor.send({ type: 'ETCD_IDENTITY', memberId: e.memberId });
        return;
      case 'startMember': {
        this.settle();
        if (!this.etcd.hasMember(e.memberId) && !this.etcd.wasRemoved(e.memberId)) {
          return void reply(false, { error: `member ${e.memberId} unknown` });
        }
        // The service restarts the process with the same arguments (F§3); whether the data dir is still
        // there is the disk's business: a dir wiped since the service started is empty now.
        const dirGone = node.actor.getSnapshot().context.disk.ephemeral.etcd === null;
        const r = this.etcd.start(e.memberId, { emptyDataDir: e.emptyDataDir || dirGone });
        this.etcdDirty = true;
        const learner = r.ok ? (this.etcd.member(e.memberId)?.learner ?? false) : false;
        return void reply(r.ok, r.ok ? { learner } : { error: etcdError(r.error) });
      }
      case 'promote': {
        this.settle();
        const r = this.etcd.promote(e.memberId, this.clientEndpoint(node));
        this.etcdDirty = true;
        if (!r.ok && r.error.code === 'timeout') {
          // Without a leader the attempt runs into its 30-s timeout before it fails (F§3, F§4).
          const error = etcdError(r.error);
          this.scheduler.after(ETCD_SERVICE_TIMING.promoteAttemptTimeoutMs, () =>
            svc.send({ type: 'RESULT', ok: false, error }),
          );
          return;
        }
        return void reply(r.ok, r.ok ? {} : { error: etcdError(r.error) });
      }
      case 'stopMember':
        if (e.memberId && this.etcd.hasMember(e.memberId)) {
          this.etcd.stop(e.memberId, true);
          this.etcdDirty = true;
        }
        return;
    }
  }

  private onEtcdChange(change: import('../../models/etcd-cluster.js').EtcdChange): void {
    switch (change.type) {
      case 'leader':
        this.trace({ type: 'etcd.leader', leader: change.leader, term: change.term });
        return;
      case 'commit':
        return;
      case 'truncated':
        this.trace({
          type: 'etcd.member',
          node: '-',
          member: '-',
          change: 'log-truncated',
          detail: `to index ${change.toIndex}, ${change.lostAcknowledged} acknowledged writes lost`,
        });
        return;
      default: {
        const nodeName = change.name;
        this.trace({
          type: 'etcd.member',
          node: nodeName,
          member: change.id,
          change: change.type,
          ...(change.detail ? { detail: change.detail } : {}),
        });
        // A member removed while its process runs exits "permanently removed" (F§4).
        if (change.type === 'removed') {
          const n = this.byName.get(nodeName);
          if (n && (n.etcdState === 'running' || n.etcdState === 'learner')) {
            this.scheduler.after(0, () =>
              n.etcd?.send({
                type: 'EXITED',
                reason: 'the member has been permanently removed from the cluster',
              }),
            );
          }
        }
      }
    }
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

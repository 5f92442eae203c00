// The node API served by simulated nodes: every call and its reply cross a simulated network round trip
// drawn from the `network` stream, so the orchestrator sees the same asynchrony a real one would.
import type { BootFailStage, RebootMode } from '../../models/types.js';
import type {
  ApiResult,
  EtcdHealth,
  NodeApi,
  NodeStatus,
  Reply,
  SlotState,
  ResetOptions,
  UpgradeOptions,
  WipeLabel,
} from '../api/node-api.js';
import { slotStateOf } from '../api/slot-state.js';
import type { Stream } from '../engine/rng.js';
import { diskWipe } from '../faults/disk-wipe.js';
import { failedBoot } from '../faults/failed-boot.js';
import { partition } from '../faults/partition.js';
import { powerLoss } from '../faults/power-loss.js';
import type { FaultContext } from '../faults/registry.js';
import type { World } from './world.js';

const UNREACHABLE = { ok: false as const, error: 'unavailable: node API not reachable', definite: true };

/** Machine states in which apid answers. */
const SERVING = new Set(['running', 'init', 'bootFailed', 'maintenance']);

export class SimulatedNodeApi implements NodeApi {
  /** The last node list clusterStatus answered, in world order (allStatuses). */
  private statusList: NodeStatus[] | null = null;
  private takeChanges: (() => ReadonlySet<string>) | null = null;
  private controlPlanes: number[] = [];

  constructor(
    private readonly world: World,
    private readonly latency: Stream,
    /** The run's faults: the lab verbs start and end faults through its registry. */
    private readonly faults: FaultContext,
  ) {}

  nodes(): readonly string[] {
    return this.world.nodes.map((n) => n.name);
  }

  now(): number {
    return this.world.scheduler.now;
  }

  after(delayMs: number, fn: () => void): void {
    this.world.scheduler.after(delayMs, fn);
  }

  private rtt(): number {
    const r = this.world.scenario.timing.api;
    return this.latency.int(r.minMs, r.maxMs);
  }

  /** Deliver `work` at the node after half a round trip and its result back after the other half. */
  private call<T>(node: string, reply: Reply<T>, work: (done: (r: ApiResult<T>) => void) => void): void {
    const half = Math.max(1, Math.floor(this.rtt() / 2));
    this.world.scheduler.after(half, () => {
      if (!SERVING.has(this.world.node(node).state)) {
        this.world.scheduler.after(half, () => reply(UNREACHABLE));
        return;
      }
      work((r) => this.world.scheduler.after(half, () => reply(r)));
    });
  }

  status(node: string, reply: Reply<NodeStatus>): void {
    this.call(node, reply, (done) => done({ ok: true, value: this.statusNow(node) }));
  }

  /**
   * Every node's status through `via`'s Kubernetes API server: it answers only while some API server it
   * reaches has a working etcd (F§2), like the node-Ready check of the boot sequence.
   */
  clusterStatus(via: string, reply: Reply<NodeStatus[]>): void {
    this.call(via, reply, (done) => {
      this.world.settle();
      if (!this.world.kubeApiReachable(via)) {
        done({ ok: false, error: 'the Kubernetes API is unavailable (etcd has no leader)', definite: true });
        return;
      }
      done({ ok: true, value: this.allStatuses() });
    });
  }

  /**
   * Every node's status, kept from the previous list: only nodes that changed since (World.trackChanges)
   * and the control planes (their etcd member moves without a node step) are looked up again, so a health
   * poll of an unchanged 1,000-node cluster costs a copy of the list, not 1,000 lookups (issue 8). Status
   * objects are never changed once made; each caller gets its own array.
   */
  private allStatuses(): NodeStatus[] {
    const w = this.world;
    if (this.statusList === null) {
      this.takeChanges = w.trackChanges();
      this.statusList = w.nodes.map((n) => this.statusNow(n.name));
      this.controlPlanes = w.nodes.flatMap((n, i) => (n.role === 'controlplane' ? [i] : []));
      return this.statusList.slice();
    }
    const list = this.statusList;
    for (const name of this.takeChanges!()) list[w.indexOf(name)] = this.statusNow(name);
    for (const i of this.controlPlanes) list[i] = this.statusNow(w.nodes[i]!.name);
    return list.slice();
  }

  /**
   * Lab.SlotState: a lab observer reading the machine, so it answers at once, also while the node is down,
   * and draws no network round trip: observing never changes what a run draws.
   */
  slotState(node: string, reply: Reply<SlotState>): void {
    const n = this.world.node(node);
    reply({ ok: true, value: slotStateOf(n.state, n.actor.getSnapshot().context) });
  }

  /** The status a node would report right now (also used by checkpoints). */
  statusNow(node: string): NodeStatus {
    const n = this.world.node(node);
    const c = n.actor.getSnapshot().context;
    const member = n.role === 'controlplane' ? this.world.etcd.memberByName(node) : undefined;
    return {
      name: node,
      role: n.role,
      state: n.state,
      version: c.version,
      ready: c.ready,
      upgrading: c.upgrade !== null,
      etcd: member ? { memberId: member.id, learner: member.learner, started: member.started } : null,
    };
  }

  upgrade(node: string, o: UpgradeOptions, reply: Reply<string>): void {
    this.call(node, reply, (done) =>
      this.world.upgradeRequest(
        node,
        { version: o.image, preserve: o.preserve, stage: o.stage, force: o.force, rebootMode: o.rebootMode },
        (ok, detail) => done(ok ? { ok: true, value: detail } : { ok: false, error: detail, definite: true }),
      ),
    );
  }

  rollback(node: string, reply: Reply<string>): void {
    this.call(node, reply, (done) =>
      this.world.request(
        (requestId) => this.world.node(node).actor.send({ type: 'API_ROLLBACK', requestId }),
        (ok, detail) => done(ok ? { ok: true, value: detail } : { ok: false, error: detail, definite: true }),
      ),
    );
  }

  reboot(node: string, mode: RebootMode, reply: Reply<string>): void {
    this.call(node, reply, (done) =>
      this.world.request(
        (requestId) => this.world.node(node).actor.send({ type: 'API_REBOOT', requestId, mode }),
        (ok, detail) => done(ok ? { ok: true, value: detail } : { ok: false, error: detail, definite: true }),
      ),
    );
  }

  etcdHealth(node: string, reply: Reply<EtcdHealth>): void {
    this.call(node, reply, (done) => {
      this.world.settle();
      const etcd = this.world.etcd;
      const self = etcd.memberByName(node);
      const leaderId = etcd.leader();
      done({
        ok: true,
        value: {
          leader: leaderId ? (etcd.member(leaderId)?.name ?? null) : null,
          members: etcd
            .members()
            .map((m) => ({ id: m.id, name: m.name, learner: m.learner, started: m.started })),
          healthy: self ? etcd.linearizableRead(self.id) : false,
        },
      });
    });
  }

  reset(node: string, o: ResetOptions, reply: Reply<string>): void {
    this.call(node, reply, (done) => {
      const n = this.world.node(node);
      // A single-node cluster cannot reset gracefully (F§1): leaving would take etcd with it.
      if (o.graceful && n.role === 'controlplane' && this.world.etcd.members().length <= 1) {
        done({ ok: false, error: 'cannot reset gracefully: this is the only etcd member', definite: true });
        return;
      }
      this.world.request(
        (requestId) => n.actor.send({ type: 'API_RESET', requestId, graceful: o.graceful, labels: o.labels }),
        (ok, detail) => done(ok ? { ok: true, value: detail } : { ok: false, error: detail, definite: true }),
      );
    });
  }

  etcdRemoveMember(node: string, memberId: string, reply: Reply<string>): void {
    this.call(node, reply, (done) => {
      this.world.settle();
      const r = this.world.etcd.removeMember(memberId, node);
      this.world.markEtcdDirty();
      done(
        r.ok
          ? { ok: true, value: `removed ${memberId}` }
          : { ok: false, error: r.error.code, definite: r.error.definite },
      );
    });
  }

  // ---- lab verbs -------------------------------------------------------------------------------
  // They act on the hardware directly, after one API latency, whatever state the node is in, and they are
  // faults like any other: each goes through the fault registry (sim/faults/), so it is traced as
  // fault.start/fault.end, composes with overlapping faults, earns the quorum excuse, and is ended by the
  // liveness phase (issue 6 item 6). After that phase has begun, the verbs that start a fault are refused.

  /** Faults the lab verbs started and a later verb ends: `powerOff` -> `powerOn`, `isolate` -> `heal`. */
  private readonly labFaults = new Map<string, number[]>();

  private lab(reply: Reply<string>, act: () => ApiResult<string>): void {
    this.world.scheduler.after(Math.max(1, Math.floor(this.rtt() / 2)), () => reply(act()));
  }

  private static readonly STOPPED = {
    ok: false as const,
    error: 'faults have stopped: the liveness phase has begun',
    definite: true,
  };

  /** Start a fault for a lab verb and remember it so the matching verb can end it. */
  private startLab(key: string, start: () => number | null, what: string): ApiResult<string> {
    const id = start();
    if (id === null) return SimulatedNodeApi.STOPPED;
    this.labFaults.set(key, [...(this.labFaults.get(key) ?? []), id]);
    return { ok: true, value: what };
  }

  /** End the faults a lab verb started; returns how many were still active. */
  private endLab(key: string, why: string): number {
    const ids = this.labFaults.get(key) ?? [];
    this.labFaults.delete(key);
    return ids.filter((id) => this.faults.registry.end(this.world.scheduler, id, why)).length;
  }

  powerOff(node: string, reply: Reply<string>): void {
    this.lab(reply, () =>
      this.startLab(
        `power:${node}`,
        () => powerLoss(this.faults, node, null, false, 'lab verb powerOff: off until powerOn'),
        `${node} powered off`,
      ),
    );
  }

  powerOn(node: string, reply: Reply<string>): void {
    this.lab(reply, () => {
      this.endLab(`power:${node}`, 'lab verb powerOn');
      // Other faults may still hold the power off: they compose, and the last one to end powers it on.
      const held = this.faults.registry.powerHeldOff(node);
      if (held > 0)
        return {
          ok: false,
          error: `${node} stays off: ${held} other fault(s) hold its power off`,
          definite: true,
        };
      this.world.powerOn(node);
      return { ok: true, value: `${node} powered on` };
    });
  }

  wipe(node: string, label: WipeLabel, reply: Reply<string>): void {
    this.lab(reply, () => {
      if (this.faults.registry.stopped) return SimulatedNodeApi.STOPPED;
      diskWipe(this.faults, node, label, `lab verb wipe ${label}`);
      return { ok: true, value: `${node} ${label} wiped` };
    });
  }

  isolate(node: string, reply: Reply<string>): void {
    this.lab(reply, () =>
      this.startLab(`net:${node}`, () => partition(this.faults, [[node]], false, null), `${node} isolated`),
    );
  }

  heal(node: string, reply: Reply<string>): void {
    this.lab(reply, () => {
      const ended = this.endLab(`net:${node}`, 'lab verb heal');
      return { ok: true, value: ended > 0 ? `${node} healed` : `${node} was not isolated by the lab` };
    });
  }

  failNextBoot(node: string, version: string, stage: BootFailStage, reply: Reply<string>): void {
    this.lab(reply, () => {
      if (this.faults.registry.stopped) return SimulatedNodeApi.STOPPED;
      failedBoot(this.faults, node, version, stage, 1);
      return { ok: true, value: `${node}: next boot of ${version} fails at ${stage}` };
    });
  }
}

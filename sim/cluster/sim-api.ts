// The node API served by simulated nodes: every call and its reply cross a simulated network round trip
// drawn from the `network` stream, so the orchestrator sees the same asynchrony a real one would.
import type { BootFailStage, RebootMode } from '../../models/types.js';
import type { LinkCut } from '../../models/network.js';
import type {
  ApiResult,
  EtcdHealth,
  NodeApi,
  NodeStatus,
  Reply,
  ResetOptions,
  UpgradeOptions,
  WipeLabel,
} from '../api/node-api.js';
import type { Stream } from '../engine/rng.js';
import type { World } from './world.js';

const UNREACHABLE = { ok: false as const, error: 'unavailable: node API not reachable', definite: true };

/** Machine states in which apid answers. */
const SERVING = new Set(['running', 'init', 'bootFailed', 'maintenance']);

export class SimulatedNodeApi implements NodeApi {
  constructor(
    private readonly world: World,
    private readonly latency: Stream,
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

  /** Lab verbs act on the hardware directly, after one API latency, whatever state the node is in. */
  private lab(reply: Reply<string>, what: string, act: () => void): void {
    this.world.scheduler.after(Math.max(1, Math.floor(this.rtt() / 2)), () => {
      act();
      reply({ ok: true, value: what });
    });
  }

  powerOff(node: string, reply: Reply<string>): void {
    this.lab(reply, `${node} powered off`, () => this.world.powerLoss(node));
  }

  powerOn(node: string, reply: Reply<string>): void {
    this.lab(reply, `${node} powered on`, () => this.world.powerOn(node));
  }

  wipe(node: string, label: WipeLabel, reply: Reply<string>): void {
    this.lab(reply, `${node} ${label} wiped`, () => this.world.wipe(node, label));
  }

  private readonly isolations = new Map<string, LinkCut[]>();

  isolate(node: string, reply: Reply<string>): void {
    this.lab(reply, `${node} isolated`, () => {
      if (this.isolations.has(node)) return;
      this.isolations.set(node, this.world.network.partition([[node]], false));
      this.world.markEtcdDirty();
    });
  }

  heal(node: string, reply: Reply<string>): void {
    this.lab(reply, `${node} healed`, () => {
      const cuts = this.isolations.get(node);
      if (!cuts) return;
      this.isolations.delete(node);
      this.world.network.healCuts(cuts);
      this.world.markEtcdDirty();
    });
  }

  failNextBoot(node: string, version: string, stage: BootFailStage, reply: Reply<string>): void {
    this.lab(reply, `${node}: next boot of ${version} fails at ${stage}`, () =>
      this.world.injectBootFault(node, { version, stage, remaining: 1 }),
    );
  }
}

// A scripted NodeApi on its own virtual clock, for unit tests of the orchestrator: it drives the controller
// exactly through the interface real nodes serve (sim/api/node-api.ts), with every reply delivered after a
// fixed latency, so tests can assert what the controller asks, in which order and at which time, without a
// simulated cluster. Each node's answer to an upgrade request is scripted per attempt.
import type {
  ApiResult,
  EtcdHealth,
  NodeApi,
  NodeStatus,
  Reply,
  UpgradeOptions,
} from '../../sim/api/node-api.js';
import type { Role } from '../../models/types.js';

/** What a node does with an accepted (or refused) upgrade request. */
export type UpgradeScript =
  /** Refuse the request with this error. */
  | { refuse: string }
  /** Accept: down (not Ready, upgrading) for downMs, then Ready on `version` (the target unless given). */
  | { downMs: number; version?: string }
  /** Accept and never come back. */
  | { hang: true };

export interface FakeNode {
  name: string;
  role: Role;
  version: string;
  ready: boolean;
  upgrading: boolean;
  state: string;
  /** A status call fails with this error (the node does not answer). */
  unreachable: string | null;
}

export interface Call {
  t: number;
  op: string;
  node: string;
  options?: UpgradeOptions;
}

export const LATENCY_MS = 10;

export class FakeNodeApi implements NodeApi {
  t = 0;
  readonly calls: Call[] = [];
  readonly state = new Map<string, FakeNode>();
  /** Per node, the answer to its n-th upgrade request (the last one repeats). */
  readonly scripts = new Map<string, UpgradeScript[]>();
  /** What etcd health returns; by default a leader, and every control plane a voter, started while running. */
  etcd: (via: string) => ApiResult<EtcdHealth> = () => ({
    ok: true,
    value: {
      leader: 'm1',
      healthy: true,
      members: [...this.state.values()]
        .filter((n) => n.role === 'controlplane')
        .map((n) => ({ id: `id-${n.name}`, name: n.name, learner: false, started: n.state === 'running' })),
    },
  });
  private readonly timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;
  private readonly attempts = new Map<string, number>();

  constructor(nodes: { name: string; role: Role }[], version: string) {
    for (const n of nodes)
      this.state.set(n.name, {
        ...n,
        version,
        ready: true,
        upgrading: false,
        state: 'running',
        unreachable: null,
      });
  }

  /** Run timers in time order (ties in scheduling order) until none is left or the clock passes untilMs. */
  run(untilMs: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (next === undefined || next.at > untilMs) return;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
  }

  /** The upgrade requests, as "t node" strings. */
  upgrades(): string[] {
    return this.calls.filter((c) => c.op === 'upgrade').map((c) => `${c.t} ${c.node}`);
  }

  nodes(): readonly string[] {
    return [...this.state.keys()];
  }
  now(): number {
    return this.t;
  }
  after(delayMs: number, fn: () => void): void {
    this.timers.push({ at: this.t + delayMs, seq: this.seq++, fn });
  }

  private reply<T>(reply: Reply<T>, r: () => ApiResult<T>): void {
    this.after(LATENCY_MS, () => reply(r()));
  }

  private statusOf(n: FakeNode): NodeStatus {
    return {
      name: n.name,
      role: n.role,
      state: n.state,
      version: n.version,
      ready: n.ready,
      upgrading: n.upgrading,
      etcd: null,
    };
  }

  status(node: string, reply: Reply<NodeStatus>): void {
    this.calls.push({ t: this.t, op: 'status', node });
    this.reply(reply, () => {
      const n = this.state.get(node)!;
      if (n.unreachable !== null) return { ok: false, error: n.unreachable, definite: false };
      return { ok: true, value: this.statusOf(n) };
    });
  }

  /** The node list through `via` (NodeApi.clusterStatus), for a FakeNodeApi built with `listed`. */
  protected list(via: string, reply: Reply<NodeStatus[]>): void {
    this.calls.push({ t: this.t, op: 'clusterStatus', node: via });
    this.reply(reply, () => {
      const v = this.state.get(via)!;
      if (v.unreachable !== null) return { ok: false, error: v.unreachable, definite: false };
      return { ok: true, value: [...this.state.values()].map((n) => this.statusOf(n)) };
    });
  }

  etcdHealth(node: string, reply: Reply<EtcdHealth>): void {
    this.calls.push({ t: this.t, op: 'etcdHealth', node });
    this.reply(reply, () => this.etcd(node));
  }

  upgrade(node: string, options: UpgradeOptions, reply: Reply<string>): void {
    this.calls.push({ t: this.t, op: 'upgrade', node, options });
    const n = this.attempts.get(node) ?? 0;
    this.attempts.set(node, n + 1);
    const script = this.scripts.get(node) ?? [{ downMs: 60_000 }];
    const s = script[Math.min(n, script.length - 1)]!;
    if ('refuse' in s) {
      this.reply(reply, () => ({ ok: false, error: s.refuse, definite: true }));
      return;
    }
    const st = this.state.get(node)!;
    this.reply(reply, () => {
      Object.assign(st, { ready: false, upgrading: true, state: 'installing' });
      if (!('hang' in s))
        this.after(s.downMs, () =>
          Object.assign(st, {
            ready: true,
            upgrading: false,
            state: 'running',
            version: s.version ?? options.image,
          }),
        );
      return { ok: true, value: 'accepted' };
    });
  }

  private unused(op: string): never {
    throw new Error(`the orchestrator does not call ${op}`);
  }
  rollback(): void {
    this.unused('rollback');
  }
  reboot(): void {
    this.unused('reboot');
  }
  reset(): void {
    this.unused('reset');
  }
  etcdRemoveMember(): void {
    this.unused('etcdRemoveMember');
  }
  powerOff(): void {
    this.unused('powerOff');
  }
  powerOn(): void {
    this.unused('powerOn');
  }
  wipe(): void {
    this.unused('wipe');
  }
  isolate(): void {
    this.unused('isolate');
  }
  heal(): void {
    this.unused('heal');
  }
  failNextBoot(): void {
    this.unused('failNextBoot');
  }
}

/** A node API that also lists every node's status in one call, as the simulated cluster's does. */
export class ListingFakeNodeApi extends FakeNodeApi {
  clusterStatus(via: string, reply: Reply<NodeStatus[]>): void {
    this.list(via, reply);
  }
}

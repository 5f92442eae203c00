// The agent's etcd service as Talos runs it (F§3, T internal/app/machined etcd service): a real etcd 3.4
// member process whose data dir lives under the node's EPHEMERAL folder.
// - Data dir present: start on it ("existing"); a learner that restarts on its own data is never promoted
//   by this start (only a learner that this very start joined is: T#5794, T#13710).
// - Data dir empty: rejoin — remove any member with our hostname, add ourselves as a learner (retried),
//   start with --initial-cluster-state=existing, then try to promote every `promoteEveryMs` (15 s in every
//   released Talos), each attempt bounded by the client timeout, for at most `promoteForMs` (10 min).
// Everything goes through etcd's own client API (EtcdClient over the JSON gateway). Wall-clock time is
// allowed here: this is the real-node adapter.
import { existsSync, readdirSync } from 'node:fs';
import { EtcdClient, type RealMember } from '../etcd/client.js';
import { EtcdProcess, type EtcdExit } from '../etcd/process.js';

export interface AgentEtcdSpec {
  name: string;
  /** EPHEMERAL/var/lib/etcd of the node. */
  dataDir: string;
  clientPort: number;
  /** The port etcd listens on for peers. */
  peerPort: number;
  /** The peer URL port others use (the isolate proxy's port when there is one). */
  advertisedPeerPort: number;
  clusterToken: string;
  /** Client endpoints (http://127.0.0.1:PORT) of the other control planes, tried in order for joins. */
  peers: readonly string[];
  /** Bootstrap: when every control plane starts empty for the first time, the initial cluster (name=url). */
  initialCluster?: string;
  binary?: string;
}

export interface AgentEtcdTiming {
  /** Between join attempts (member add refused, e.g. "unhealthy cluster"). */
  joinRetryMs: number;
  /** Talos retries the learner add for up to 30 min. */
  joinForMs: number;
  /** Talos: a promotion attempt every 15 s ... */
  promoteEveryMs: number;
  /** ... for up to 10 min. */
  promoteForMs: number;
  /** etcd client command timeout (each promotion attempt is bounded by it). */
  commandTimeoutMs: number;
}

export const TALOS_ETCD_TIMING: AgentEtcdTiming = {
  joinRetryMs: 5_000,
  joinForMs: 30 * 60_000,
  promoteEveryMs: 15_000,
  promoteForMs: 10 * 60_000,
  commandTimeoutMs: 30_000,
};

export type EtcdStartResult =
  | { ok: true; how: 'own-data' | 'bootstrap' | 'joined-as-learner'; memberId: string | null }
  | { ok: false; error: string };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function dataDirEmpty(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

export class AgentEtcd {
  readonly process: EtcdProcess;
  readonly client: EtcdClient;
  /** Set by a start that joined as a learner; only such a start promotes (F§3). */
  private joinedThisStart = false;
  private generation = 0;
  /** Outcome of the last promotion loop, for status and tests. */
  promotion: 'none' | 'running' | 'promoted' | 'gave-up' = 'none';
  readonly log: string[] = [];

  constructor(
    readonly spec: AgentEtcdSpec,
    readonly timing: AgentEtcdTiming = TALOS_ETCD_TIMING,
  ) {
    this.process = new EtcdProcess({
      name: spec.name,
      dataDir: spec.dataDir,
      clientPort: spec.clientPort,
      peerPort: spec.peerPort,
      advertisedPeerPort: spec.advertisedPeerPort,
      initialCluster: spec.initialCluster ?? `${spec.name}=${this.peerURL}`,
      initialClusterState: 'new',
      clusterToken: spec.clusterToken,
      ...(spec.binary ? { binary: spec.binary } : {}),
    });
    this.client = new EtcdClient(`http://127.0.0.1:${spec.clientPort}`, timing.commandTimeoutMs);
  }

  get peerURL(): string {
    return `http://127.0.0.1:${this.spec.advertisedPeerPort}`;
  }

  private note(s: string): void {
    this.log.push(s);
    if (this.log.length > 500) this.log.splice(0, this.log.length - 500);
  }

  /** The pre-start and start of the etcd service at boot (runs once per boot, F§3). */
  async start(): Promise<EtcdStartResult> {
    const gen = ++this.generation;
    this.joinedThisStart = false;
    this.promotion = 'none';
    if (!dataDirEmpty(this.spec.dataDir)) {
      this.process.start();
      this.note('started on its own data');
      return { ok: true, how: 'own-data', memberId: null };
    }
    if (this.spec.initialCluster) {
      this.process.spec.initialCluster = this.spec.initialCluster;
      this.process.spec.initialClusterState = 'new';
      this.process.start();
      this.note('bootstrap start with the initial cluster');
      return { ok: true, how: 'bootstrap', memberId: null };
    }
    const joined = await this.join(gen);
    if (!joined.ok) return joined;
    this.process.spec.initialCluster = joined.initialCluster;
    this.process.spec.initialClusterState = 'existing';
    this.process.start();
    this.joinedThisStart = true;
    this.note(`joined as learner ${joined.memberId}`);
    void this.promoteLoop(gen, joined.memberId, joined.via);
    return { ok: true, how: 'joined-as-learner', memberId: joined.memberId };
  }

  /** Graceful stop (SIGTERM) or power loss (SIGKILL); ends this start's promotion loop. */
  async stop(how: 'graceful' | 'kill'): Promise<EtcdExit | null> {
    this.generation++;
    return how === 'graceful' ? this.process.stop() : this.process.kill();
  }

  private async join(
    gen: number,
  ): Promise<
    { ok: true; memberId: string; initialCluster: string; via: EtcdClient } | { ok: false; error: string }
  > {
    const deadline = Date.now() + this.timing.joinForMs;
    let last = 'no peer answered';
    while (Date.now() < deadline && gen === this.generation) {
      for (const endpoint of this.spec.peers) {
        const via = new EtcdClient(endpoint, this.timing.commandTimeoutMs);
        const list = await via.memberList();
        if (!list.ok) {
          last = `${endpoint}: ${list.error.message}`;
          continue;
        }
        // Talos removes any member registered under its hostname (a previous life of this node).
        for (const m of list.value.filter(
          (x) => x.name === this.spec.name || x.peerURLs.includes(this.peerURL),
        )) {
          const rm = await via.memberRemove(m.id);
          this.note(`remove old member ${m.id}: ${rm.ok ? 'ok' : rm.error.message}`);
          if (!rm.ok) last = `remove ${m.id}: ${rm.error.message}`;
        }
        const add = await via.memberAdd(this.peerURL, { learner: true });
        if (!add.ok) {
          last = `add learner via ${endpoint}: ${add.error.message}`;
          this.note(last);
          continue;
        }
        return {
          ok: true,
          memberId: add.value.id,
          initialCluster: this.initialCluster(add.value.members),
          via,
        };
      }
      await sleep(this.timing.joinRetryMs);
    }
    return { ok: false, error: `etcd join failed: ${last}` };
  }

  private initialCluster(members: RealMember[]): string {
    return members
      .filter((m) => m.peerURLs.length > 0)
      .map(
        (m) =>
          `${m.name || (m.peerURLs.includes(this.peerURL) ? this.spec.name : `m${m.id}`)}=${m.peerURLs[0]}`,
      )
      .join(',');
  }

  private async promoteLoop(gen: number, id: string, via: EtcdClient): Promise<void> {
    if (!this.joinedThisStart) return;
    this.promotion = 'running';
    const deadline = Date.now() + this.timing.promoteForMs;
    while (gen === this.generation && Date.now() < deadline) {
      await sleep(this.timing.promoteEveryMs);
      if (gen !== this.generation) return;
      // Ask our own member first, then the peer we joined through (either forwards to the leader).
      for (const c of [this.client, via]) {
        const r = await c.memberPromote(id);
        if (r.ok) {
          this.promotion = 'promoted';
          this.note(`promoted ${id}`);
          return;
        }
        this.note(`promote ${id}: ${r.error.message}`);
        if (r.error.code === 'member-not-learner') {
          this.promotion = 'promoted';
          return;
        }
      }
    }
    if (gen === this.generation) this.promotion = 'gave-up';
  }
}

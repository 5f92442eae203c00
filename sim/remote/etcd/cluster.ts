// A real etcd 3.4 cluster on 127.0.0.1 for the lab and the differential suite: every member gets free
// client/peer ports and a PeerProxy in front of its peer port (its advertised peer URL), so peer traffic
// can be cut per direction. Data dirs live under one temporary directory that `close()` removes; every
// process is tracked by pid (process.ts) and killed by `close()` or at Node exit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdClient, type EtcdResult, type RealMember } from './client.js';
import { EtcdProcess, freePort } from './process.js';
import { PeerCuts, PeerProxy } from './proxy.js';

const LEADER_AT_START_TIMEOUT_MS = 45_000;

export interface RealMemberHandle {
  name: string;
  process: EtcdProcess;
  proxy: PeerProxy;
  client: EtcdClient;
  /** The advertised peer URL (the proxy). */
  peerURL: string;
  /** etcd's member id (decimal) once known. */
  id: string | null;
}

export interface RealClusterOptions {
  commandTimeoutMs?: number;
  extraFlags?: readonly string[];
  /** Parent of the temporary directory (default: the OS temp dir). */
  baseDir?: string;
}

/** Poll `fn` every `intervalMs` until it returns a non-null value or `timeoutMs` passes (then null). */
export async function pollFor<T>(
  fn: () => Promise<T | null> | T | null,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() >= deadline) return null;
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class RealEtcdCluster {
  readonly cuts = new PeerCuts();
  private readonly members = new Map<string, RealMemberHandle>();
  private readonly token: string;

  private constructor(
    readonly dir: string,
    private readonly opts: RealClusterOptions,
  ) {
    this.token = `upgradelab-${process.pid}-${dir.slice(-6)}`;
  }

  /** Start a new cluster of `names` and wait until it has a leader. */
  static async start(names: readonly string[], opts: RealClusterOptions = {}): Promise<RealEtcdCluster> {
    const dir = await mkdtemp(join(opts.baseDir ?? tmpdir(), 'upgradelab-etcd-'));
    const c = new RealEtcdCluster(dir, opts);
    try {
      const handles: RealMemberHandle[] = [];
      for (const name of names) handles.push(await c.prepare(name));
      const initial = handles.map((h) => `${h.name}=${h.peerURL}`).join(',');
      for (const h of handles) {
        h.process.spec.initialCluster = initial;
        h.process.spec.initialClusterState = 'new';
        h.process.start();
      }
      // Generous: on a loaded 2-core machine a fresh cluster's first election took over 15 s once (CI).
      if ((await c.waitLeader(LEADER_AT_START_TIMEOUT_MS)) === null) {
        throw new Error(`RealEtcdCluster: no leader within ${LEADER_AT_START_TIMEOUT_MS / 1000} s`);
      }
      await c.refreshIds();
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }

  names(): string[] {
    return [...this.members.keys()];
  }

  member(name: string): RealMemberHandle {
    const h = this.members.get(name);
    if (h === undefined) throw new Error(`RealEtcdCluster: unknown member '${name}'`);
    return h;
  }

  client(name: string): EtcdClient {
    return this.member(name).client;
  }

  /** The leader's name as seen by any running member's status, or null. */
  async leader(): Promise<string | null> {
    for (const h of this.members.values()) {
      if (!h.process.running) continue;
      const s = await h.client.status();
      if (!s.ok || s.value.leader === '0') continue;
      const leader = [...this.members.values()].find((m) => m.id === s.value.leader);
      if (leader !== undefined) return leader.name;
      await this.refreshIds();
      const again = [...this.members.values()].find((m) => m.id === s.value.leader);
      if (again !== undefined) return again.name;
    }
    return null;
  }

  /** Wait until some running member reports a leader (optionally: one other than `not`). */
  async waitLeader(timeoutMs: number, not?: string): Promise<string | null> {
    return pollFor(async () => {
      const l = await this.leader();
      return l !== null && l !== not ? l : null;
    }, timeoutMs);
  }

  /** Learn member ids from a member list and tell the proxies who is who. */
  async refreshIds(): Promise<RealMember[] | null> {
    for (const h of this.members.values()) {
      if (!h.process.running) continue;
      const r = await h.client.memberList();
      if (!r.ok) continue;
      for (const m of r.value) {
        const owner = [...this.members.values()].find((x) => m.peerURLs.includes(x.peerURL));
        if (owner === undefined) continue;
        owner.id = m.id;
        this.cuts.registerMember(m.id, owner.name);
      }
      return r.value;
    }
    return null;
  }

  /**
   * `etcdctl member add` through `via` for a new member `name` (ports are chosen now). On success the
   * member is prepared to start with `--initial-cluster-state=existing` and the current member list.
   */
  async addMember(name: string, via: string, learner: boolean): Promise<EtcdResult<{ id: string }>> {
    const h = this.members.get(name) ?? (await this.prepare(name));
    const r = await this.client(via).memberAdd(h.peerURL, { learner });
    if (!r.ok) return r;
    h.id = r.value.id;
    this.cuts.registerMember(r.value.id, name);
    this.configureJoin(h, r.value.members);
    return { ok: true, value: { id: r.value.id } };
  }

  async removeMember(name: string, via: string): Promise<EtcdResult<RealMember[]>> {
    const h = this.member(name);
    if (h.id === null) await this.refreshIds();
    return this.client(via).memberRemove(h.id ?? '0');
  }

  async promote(name: string, via: string): Promise<EtcdResult<RealMember[]>> {
    const h = this.member(name);
    if (h.id === null) await this.refreshIds();
    return this.client(via).memberPromote(h.id ?? '0');
  }

  startMember(name: string): void {
    this.member(name).process.start();
  }

  /** Graceful stop (SIGTERM). */
  async stopMember(name: string): Promise<void> {
    await this.member(name).process.stop();
  }

  /** Crash (SIGKILL). */
  async killMember(name: string): Promise<void> {
    await this.member(name).process.kill();
  }

  /** Delete the member's data dir (EPHEMERAL wiped). The process must be down. */
  async wipe(name: string): Promise<void> {
    const h = this.member(name);
    if (h.process.running) throw new Error(`RealEtcdCluster.wipe: ${name} is running`);
    await rm(h.process.spec.dataDir, { recursive: true, force: true });
    // With an empty dir etcd needs a cluster configuration again; its old identity comes from its peer URL.
    h.process.spec.initialClusterState = 'existing';
  }

  /** Kill every process, close every proxy and remove the temporary directory. Safe to call twice. */
  async close(): Promise<void> {
    for (const h of this.members.values()) await h.process.kill();
    for (const h of this.members.values()) await h.proxy.close();
    this.members.clear();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async prepare(name: string): Promise<RealMemberHandle> {
    if (this.members.has(name)) throw new Error(`RealEtcdCluster: member '${name}' exists`);
    const [clientPort, peerPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
    const proxy = new PeerProxy(name, proxyPort, peerPort, this.cuts);
    await proxy.start();
    const peerURL = `http://127.0.0.1:${proxyPort}`;
    const process = new EtcdProcess({
      name,
      dataDir: join(this.dir, name),
      clientPort,
      peerPort,
      advertisedPeerPort: proxyPort,
      initialCluster: `${name}=${peerURL}`,
      initialClusterState: 'new',
      clusterToken: this.token,
      ...(this.opts.extraFlags ? { extraFlags: this.opts.extraFlags } : {}),
    });
    const h: RealMemberHandle = {
      name,
      process,
      proxy,
      client: new EtcdClient(`http://127.0.0.1:${clientPort}`, this.opts.commandTimeoutMs),
      peerURL,
      id: null,
    };
    this.members.set(name, h);
    return h;
  }

  private configureJoin(h: RealMemberHandle, members: RealMember[]): void {
    const pairs: string[] = [];
    for (const m of members) {
      const owner = [...this.members.values()].find((x) => m.peerURLs.includes(x.peerURL));
      const url = m.peerURLs[0];
      if (owner !== undefined && url !== undefined) pairs.push(`${owner.name}=${url}`);
    }
    h.process.spec.initialCluster = pairs.join(',');
    h.process.spec.initialClusterState = 'existing';
  }
}

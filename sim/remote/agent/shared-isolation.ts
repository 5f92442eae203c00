// Full isolation of an agent's etcd member across a local lab. An agent's peer proxy sits in front of its own
// peer port only, so by itself it can cut the traffic *into* its member; the connections its member opens to
// the others go straight to *their* proxies. An isolated leader would then keep sending heartbeats through
// those (etcd's pipeline POSTs) and keep its leadership, which a real network cut does not allow (F§4: a
// one-way cut of a leader, either direction, ends in a new leader). So an isolation is announced in a folder
// every agent of the lab shares (LAB/isolated/<name>), and every agent's proxy also cuts the connections
// whose X-Server-From names an isolated member, in both directions: together the proxies cut every byte
// to and from it. Polled (not fs.watch) so it works on every file system; the delay is one poll.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite } from './disk.js';
import { EtcdClient } from '../etcd/client.js';
import type { PeerCuts } from '../etcd/proxy.js';

/** Wall-clock ms between two looks at the shared folder. */
export const ISOLATION_POLL_WALL_MS = 100;
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class SharedIsolation {
  private readonly dir: string;
  private timer: NodeJS.Timeout | null = null;
  /** Other members this agent's proxy currently cuts because they announced an isolation. */
  private applied = new Set<string>();
  private busy = false;

  constructor(
    labDir: string,
    private readonly self: string,
    private readonly cuts: PeerCuts,
    /** etcd client endpoints to learn member ids from (the proxy knows senders only by id). */
    private readonly endpoints: () => readonly string[],
  ) {
    this.dir = join(labDir, 'isolated');
    mkdirSync(this.dir, { recursive: true });
  }

  /** Announce (or withdraw) this member's isolation to every agent of the lab. */
  announce(isolated: boolean): void {
    const f = join(this.dir, this.self);
    if (isolated) atomicWrite(f, 'isolated\n');
    else rmSync(f, { force: true });
  }

  /** Whether this agent's proxy cuts `name` because `name` announced its own isolation. */
  cutsFor(name: string): boolean {
    return this.applied.has(name);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), ISOLATION_POLL_WALL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Learn every member's id, so the proxy can tell senders apart (else it must drop unknown ones). */
  async registerMembers(): Promise<boolean> {
    for (const ep of this.endpoints()) {
      const l = await new EtcdClient(ep, 1_000).memberList();
      if (!l.ok) continue;
      for (const m of l.value) if (m.name) this.cuts.registerMember(m.id, m.name);
      return true;
    }
    return false;
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      let names: string[];
      try {
        names = readdirSync(this.dir).filter((n) => NAME.test(n) && n !== this.self);
      } catch {
        names = [];
      }
      const wanted = new Set(names);
      const same = wanted.size === this.applied.size && [...wanted].every((n) => this.applied.has(n));
      if (same) return;
      // Ids first: a cut registered before the sender is known would drop every unknown sender's bytes.
      if (wanted.size > 0 && !(await this.registerMembers())) return;
      for (const n of this.applied)
        if (!wanted.has(n)) {
          this.cuts.heal(n, this.self);
          this.cuts.heal(this.self, n);
        }
      for (const n of wanted)
        if (!this.applied.has(n)) {
          this.cuts.cut(n, this.self);
          this.cuts.cut(this.self, n);
        }
      this.applied = wanted;
    } finally {
      this.busy = false;
    }
  }
}

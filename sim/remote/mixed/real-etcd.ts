// What a mixed run reads from and writes to the real etcd cluster of its attached control planes: the
// workload's writes (every one acknowledged is read back at the end: durability), quorum (a majority of the
// voters answers a status request, F§4: learners do not count), the leader, and whether the Kubernetes API
// can answer (a linearizable read succeeds, F§2), which is what the simulated workers wait on.
import { EtcdClient, type RealMember } from '../etcd/client.js';

export interface Sample {
  /** Voters whose etcd answered a status request, and how many voters there are. */
  votersUp: number;
  voters: number;
  /** The leader's member name, or null when no member knows one. */
  leader: string | null;
  term: number;
  /** A linearizable read succeeded through some member. */
  readOk: boolean;
}

export interface WriteOutcome {
  id: number;
  ok: boolean;
  error?: string;
  atWallMs: number;
}

/** Timeout of one etcd request; a status or read that takes longer counts as unanswered. */
const REQUEST_TIMEOUT_MS = 1_000;
/** A write may wait for an election (1-2.5 s, F§4) before it counts as failed (indefinite). */
const WRITE_TIMEOUT_MS = 3_000;
/** Bound on acknowledged keys kept for the read-back (writes beyond it are still sent, not checked). */
export const ACKED_MAX = 100_000;

export class RealEtcd {
  private endpoints: string[];
  /** Acknowledged write ids, read back by `lostWrites`. */
  readonly acked: number[] = [];
  attempted = 0;

  constructor(
    endpoints: string[],
    /** Keys are `${prefix}/w${id}`: a run id keeps runs on one lab apart. */
    private readonly prefix: string,
  ) {
    if (endpoints.length === 0) throw new Error('RealEtcd: no etcd endpoint');
    this.endpoints = [...endpoints];
  }

  get knownEndpoints(): readonly string[] {
    return this.endpoints;
  }

  /** The members as any endpoint lists them; learns the client URLs of members that joined since. */
  async members(): Promise<RealMember[] | null> {
    for (const ep of this.endpoints) {
      const l = await new EtcdClient(ep, REQUEST_TIMEOUT_MS).memberList();
      if (!l.ok) continue;
      for (const m of l.value)
        for (const u of m.clientURLs) if (!this.endpoints.includes(u)) this.endpoints.push(u);
      return l.value;
    }
    return null;
  }

  async sample(): Promise<Sample> {
    const list = await this.members();
    const voters = (list ?? []).filter((m) => !m.isLearner);
    const statuses = await Promise.all(
      voters.map(async (m) => {
        const url = m.clientURLs[0];
        return url ? await new EtcdClient(url, REQUEST_TIMEOUT_MS).status() : null;
      }),
    );
    let leader: string | null = null;
    let term = 0;
    for (const s of statuses) {
      if (!s?.ok) continue;
      term = Math.max(term, s.value.raftTerm);
      if (s.value.leader === '0') continue;
      const m = (list ?? []).find((x) => x.id === s.value.leader);
      leader = m ? m.name || m.id : s.value.leader;
    }
    let readOk = false;
    for (const ep of this.endpoints) {
      if ((await new EtcdClient(ep, REQUEST_TIMEOUT_MS).get(`${this.prefix}/probe`)).ok) {
        readOk = true;
        break;
      }
    }
    return {
      votersUp: statuses.filter((s) => s?.ok).length,
      voters: list === null ? 0 : voters.length,
      leader,
      term,
      readOk,
    };
  }

  /** One workload write through the first member that acknowledges it. */
  async write(atWallMs: number): Promise<WriteOutcome> {
    const id = this.attempted++;
    let error = 'no endpoint';
    for (const ep of this.endpoints) {
      const r = await new EtcdClient(ep, WRITE_TIMEOUT_MS).put(`${this.prefix}/w${id}`, String(id));
      if (r.ok) {
        if (this.acked.length < ACKED_MAX) this.acked.push(id);
        return { id, ok: true, atWallMs };
      }
      error = r.error.message;
    }
    return { id, ok: false, error, atWallMs };
  }

  /** Acknowledged writes that a linearizable read no longer returns (or returns changed). */
  async lostWrites(): Promise<number[]> {
    const lost: number[] = [];
    for (const id of this.acked) {
      let found = false;
      for (const ep of this.endpoints) {
        const g = await new EtcdClient(ep, WRITE_TIMEOUT_MS).get(`${this.prefix}/w${id}`);
        if (!g.ok) continue;
        found = g.value.value === String(id);
        break;
      }
      if (!found) lost.push(id);
    }
    return lost;
  }
}

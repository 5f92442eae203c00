// Drives a differential case on real etcd 3.4 (sim/remote/etcd/): a fresh cluster per case on free ports,
// peer proxies for cuts, every wait bounded and by polling. Real timing varies; the outcomes it reports
// are coarse on purpose (codes and buckets), so the comparison is stable.
import { RealEtcdCluster, pollFor, sleep } from '../../sim/remote/etcd/index.js';
import { Bindings, FAST_MS, type Case, type Step } from './steps.js';

/** etcdctl-like client deadline: a request without quorum fails "context deadline exceeded" after it. */
const COMMAND_TIMEOUT_MS = 2_000;
/** How long a started member is watched for an exit (removed, raft panic) after it first answers. */
const START_WATCH_MS = 2_500;
const START_MAX_MS = 15_000;

export interface RealRun {
  outcomes: string[];
  /** Log lines of note (exits), for the report. */
  notes: string[];
}

export async function runOnReal(c: Case): Promise<RealRun> {
  const cluster = await RealEtcdCluster.start(c.members, { commandTimeoutMs: COMMAND_TIMEOUT_MS });
  const refs = new Bindings();
  const notes: string[] = [];
  const acked: string[] = [];
  let seq = 0;
  const known = (name: string): boolean => cluster.names().includes(name);

  /** The leaders reported by running members other than `exclude`'s own view. */
  const leaderSeen = async (not: string | null): Promise<string | null> => {
    await cluster.refreshIds();
    for (const name of cluster.names()) {
      const h = cluster.member(name);
      if (!h.process.running || name === not) continue;
      const s = await h.client.status();
      if (!s.ok || s.value.leader === '0') continue;
      const leader = cluster.names().find((n) => cluster.member(n).id === s.value.leader);
      if (leader !== undefined && leader !== not) return leader;
    }
    return null;
  };

  const run = async (s: Step): Promise<string> => {
    switch (s.op) {
      case 'bind': {
        const l = await pollFor(() => leaderSeen(null), 10_000);
        if (l === null) return 'none';
        refs.bind(l, c.members);
        return 'ok';
      }
      case 'put': {
        const key = `k${++seq}`;
        const r = await cluster.client(refs.resolve(s.via)).put(key, `v${seq}`);
        if (r.ok) acked.push(key);
        return r.ok ? 'ok' : r.error.code;
      }
      case 'get': {
        const r = await cluster
          .client(refs.resolve(s.via))
          .get('k1', { serializable: s.serializable === true });
        return r.ok ? 'ok' : r.error.code;
      }
      case 'addLearner': {
        const r = await cluster.addMember(refs.resolve(s.name), refs.resolve(s.via), true);
        return r.ok ? 'ok' : r.error.code;
      }
      case 'promote': {
        const r = await cluster.promote(refs.resolve(s.name), refs.resolve(s.via));
        return r.ok ? 'ok' : r.error.code;
      }
      case 'remove': {
        const r = await cluster.removeMember(refs.resolve(s.name), refs.resolve(s.via));
        return r.ok ? 'ok' : r.error.code;
      }
      case 'stop':
        await cluster.stopMember(refs.resolve(s.name));
        return 'ok';
      case 'kill':
        await cluster.killMember(refs.resolve(s.name));
        return 'ok';
      case 'start':
        return start(refs.resolve(s.name));
      case 'wipe':
        await cluster.wipe(refs.resolve(s.name));
        return 'ok';
      case 'isolate':
        cluster.cuts.isolate(refs.resolve(s.name), cluster.names(), s.dir);
        return 'ok';
      case 'heal':
        cluster.cuts.healAll();
        return 'ok';
      case 'age':
        await sleep(s.ms);
        return 'ok';
      case 'leader': {
        const not = s.not === undefined ? null : refs.resolve(s.not);
        const t0 = Date.now();
        const l = await pollFor(() => leaderSeen(not), s.maxMs);
        if (l === null) return 'none';
        if (s.timed === false) return 'leader';
        return Date.now() - t0 < FAST_MS ? 'fast' : 'election';
      }
      case 'lost': {
        const client = cluster.client(refs.resolve(s.via));
        for (const key of acked) {
          const r = await client.get(key);
          if (!r.ok) return r.error.code;
          if (r.value.value === null) return 'lost';
        }
        return 'kept';
      }
    }
  };

  /**
   * Start a member and report how it ends up: 'ok' when it keeps running START_WATCH_MS after its client
   * port first answers, else the code of its exit ('permanently-removed', 'raft-panic', 'exited').
   */
  const start = async (name: string): Promise<string> => {
    if (!known(name)) return 'member-not-found';
    const h = cluster.member(name);
    // A member removed while running exits on its own: let it finish before restarting it.
    if (h.process.running) await h.process.waitExit(10_000);
    if (h.process.running) return 'ok';
    h.process.start();
    const t0 = Date.now();
    const answered = await pollFor(
      async () => (!h.process.running ? true : (await h.client.status()).ok ? true : null),
      START_MAX_MS,
    );
    if (answered !== null && h.process.running) await h.process.waitExit(START_WATCH_MS);
    if (h.process.running) return 'ok';
    const log = h.process.log();
    const removed = log.some((l) => l.includes('the member has been permanently removed from the cluster'));
    const panic = log.find((l) => l.includes('is out of range [lastIndex('));
    notes.push(`${c.name}: ${name} exited after ${Date.now() - t0} ms (${JSON.stringify(h.process.exit)})`);
    if (removed) return 'permanently-removed';
    if (panic !== undefined) return 'raft-panic';
    notes.push(...log.slice(-3).map((l) => `  ${name}: ${l.slice(0, 300)}`));
    return 'exited';
  };

  const outcomes: string[] = [];
  try {
    for (const s of c.steps) outcomes.push(await run(s));
  } finally {
    await cluster.close();
  }
  return { outcomes, notes };
}

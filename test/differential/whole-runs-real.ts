// The reality side of the whole-run comparison: a case on a lab of real agents (sim/remote/agent/), driven
// through the gRPC client by the same script as the model side (whole-runs.ts). Quorum is read from real
// etcd (linearizable reads through any member, every 200 ms of wall time), writes go to real etcd every
// 100 ms and are read back at the end, and membership changes come from diffing real member lists.
import { Orchestrator } from '../../sim/orchestrator/orchestrator.js';
import type { LabFile } from '../../sim/remote/agent/lab-cluster.js';
import { policyFromPreset } from '../../sim/scenario/policies.js';
import { GrpcNodeApi } from '../../sim/remote/client.js';
import { EtcdClient, type RealMember } from '../../sim/remote/etcd/client.js';
import { allReady, ask, waitFor } from '../unit/remote/harness.js';
import {
  caseScenario,
  LOST_AFTER_SAMPLES,
  nodesOf,
  SAMPLE_WALL_MS,
  startCase,
  type Outcome,
  type WholeRunCase,
} from './whole-runs.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function memberList(endpoints: string[]): Promise<RealMember[] | null> {
  for (const ep of endpoints) {
    const l = await new EtcdClient(ep, 1_000).memberList();
    if (l.ok) return l.value;
  }
  return null;
}

/** Wait until every node is Ready on `version` and etcd has three voters (a case starts from health). */
export async function healthyOn(api: GrpcNodeApi, endpoints: string[], version: string, timeoutMs: number) {
  try {
    await waitFor(
      `three Ready nodes on ${version} and three voters`,
      async () => {
        if (!(await allReady(api, version))) return false;
        const l = await memberList(endpoints);
        return l !== null && l.length === 3 && l.every((m) => !m.isLearner && m.name !== '');
      },
      timeoutMs,
    );
  } catch (err) {
    // Say what the cluster looks like: a timeout alone does not tell a slow machine from a stuck node.
    // Read once, at the timeout, so the polls themselves stay as cheap as before.
    throw new Error(`${(err as Error).message}; now: ${await describeHealth(api, endpoints)}`);
  }
}

/** One line of what every node reports and what etcd's member list says, for timeout messages. */
async function describeHealth(api: GrpcNodeApi, endpoints: string[]): Promise<string> {
  const nodes: string[] = [];
  for (const n of api.nodes()) {
    const s = await ask<{ ready: boolean; version: string | null }>((r) => api.status(n, r));
    nodes.push(
      s.ok ? `${n} ${s.value.version ?? '-'}${s.value.ready ? '' : ' not Ready'}` : `${n} unreachable`,
    );
  }
  const l = await memberList(endpoints);
  const members =
    l === null
      ? 'no member list'
      : l.map((m) => `${m.name || m.id}${m.isLearner ? ' (learner)' : ''}`).join(' ');
  return `${nodes.join(', ')}; members: ${members}`;
}

export async function runReal(
  lab: LabFile,
  c: WholeRunCase,
  speed: number,
  log: (s: string) => void = () => {},
): Promise<Outcome> {
  const api = clientOf(lab, c, speed);
  const endpoints = lab.nodes
    .filter((n) => n.role === 'controlplane')
    .map((n) => `http://127.0.0.1:${n.etcdClientPort}`);
  const nameOfPeer = (m: RealMember) =>
    m.name || lab.nodes.find((n) => m.peerURLs.some((u) => u.endsWith(`:${n.etcdPeerPort}`)))?.name || m.id;
  try {
    // Generous: etcd members elect a leader slowly when the machine is loaded (a 60 s wait timed out once in CI).
    await healthyOn(api, endpoints, c.from, 150_000);
    let running = true;
    const acked: string[] = [];
    let quorumHeld = true;
    let without = 0;
    // Nodes the script has isolated and not yet healed: their etcd process still answers a status request
    // on its (uncut) client port, but it cannot take part in a majority (F§4: the minority side of a
    // partition is unavailable), as the model's quorum counts only voters linked to each other.
    const isolated = new Set<string>();
    const membership: string[] = [];
    const observers = Promise.all([
      (async () => {
        for (let i = 0; running; i++) {
          const key = `${c.name}/w${i}`;
          for (const ep of endpoints) {
            if ((await new EtcdClient(ep, 2_000).put(key, 'x')).ok) {
              acked.push(key);
              break;
            }
          }
          await sleep(100);
        }
      })(),
      (async () => {
        // A majority of the voters has its etcd process up (answers a status request) and is not isolated.
        while (running) {
          const list = await memberList(endpoints);
          const voters = (list ?? []).filter((m) => !m.isLearner);
          let up = 0;
          for (const m of voters) {
            if (isolated.has(nameOfPeer(m))) continue;
            const url = m.clientURLs[0];
            if (url && (await new EtcdClient(url, 1_000).status()).ok) up++;
          }
          without = list === null || up < Math.floor(voters.length / 2) + 1 ? without + 1 : 0;
          if (without >= LOST_AFTER_SAMPLES) quorumHeld = false;
          await sleep(SAMPLE_WALL_MS);
        }
      })(),
      (async () => {
        let prev = new Map((await memberList(endpoints))?.map((m) => [m.id, m]) ?? []);
        while (running) {
          await sleep(100);
          const l = await memberList(endpoints);
          if (l === null) continue;
          const now = new Map(l.map((m) => [m.id, m]));
          for (const [id, m] of prev) if (!now.has(id)) membership.push(`removed ${nameOfPeer(m)}`);
          for (const [id, m] of now) {
            const before = prev.get(id);
            if (!before) {
              membership.push(`added ${nameOfPeer(m)}`);
              // Every member after the bootstrap joins as a learner (F§3: the agent adds itself with
              // learner: true); one first seen as a voter was promoted between two list samples (a loaded
              // machine stretches them), so its promotion is recorded too.
              if (!m.isLearner) membership.push(`promoted ${nameOfPeer(m)}`);
            } else if (before.isLearner && !m.isLearner) membership.push(`promoted ${nameOfPeer(m)}`);
          }
          prev = now;
        }
      })(),
    ]);
    const started = startCase(api, c, caseScenario(c).upgrade!.policy, log, (a, ok) => {
      if (ok && a.verb === 'isolate') isolated.add(a.node);
      if (ok && a.verb === 'heal') isolated.delete(a.node);
    });
    try {
      await waitFor('the rollout to finish', async () => started.orchestrator()?.finished === true, 150_000);
      // A halted rollout may still be reverting: wait until every node runs some version and is Ready.
      await waitFor(
        'every node Ready again',
        async () => {
          for (const n of nodesOf(c)) {
            const s = await ask<{ ready: boolean }>((r) => api.status(n.name, r));
            if (!s.ok || !s.value.ready) return false;
          }
          return true;
        },
        60_000,
      );
      await sleep(1_000);
    } finally {
      running = false;
      await observers;
    }
    const versions: Record<string, string | null> = {};
    for (const n of nodesOf(c)) {
      const s = await ask<{ version: string | null }>((r) => api.status(n.name, r));
      versions[n.name] = s.ok ? s.value.version : null;
    }
    let writesLost = 0;
    const client = new EtcdClient(endpoints[0]!, 5_000);
    for (const key of acked) {
      const g = await client.get(key);
      if (!g.ok || g.value.value !== 'x') writesLost++;
    }
    return {
      versions,
      halted: started.orchestrator()?.report().halted ?? true,
      quorumHeld,
      writesLost,
      membership,
    };
  } finally {
    api.close();
  }
}

/** A client for the nodes case `c` drives (the lab's worker only in a worker case). */
function clientOf(lab: LabFile, c: WholeRunCase, speed: number): GrpcNodeApi {
  const names = new Set(nodesOf(c).map((n) => n.name));
  return new GrpcNodeApi({
    targets: lab.nodes.filter((n) => names.has(n.name)).map((n) => ({ name: n.name, address: n.address })),
    speed,
    callTimeoutMs: 10_000,
  });
}

/**
 * Setup before case `c`: upgrade every node it drives that is not yet on its starting version (talosctl-like
 * policy, no faults). The worker is left alone between worker cases, so its first case repairs it first.
 */
export async function repairTo(lab: LabFile, c: WholeRunCase, speed: number): Promise<void> {
  const version = c.from;
  const api = clientOf(lab, c, speed);
  try {
    // A repair is a talosctl-like rollout, and talosctl's pre-check refuses while etcd is not yet healthy
    // again after the last case (a learner not yet promoted, F§3): an operator retries, and so does this
    // setup, a bounded number of times.
    for (let attempt = 1; ; attempt++) {
      const behind: { name: string; role: 'controlplane' | 'worker' }[] = [];
      await waitFor(
        'every node Ready',
        async () => {
          behind.length = 0;
          for (const n of nodesOf(c)) {
            const s = await ask<{ ready: boolean; version: string | null }>((r) => api.status(n.name, r));
            if (!s.ok || !s.value.ready) return false;
            if (s.value.version !== version) behind.push(n);
          }
          return true;
        },
        60_000,
      );
      if (behind.length === 0) return;
      if (attempt > REPAIR_ATTEMPTS) {
        throw new Error(
          `setup: ${behind.map((n) => n.name).join(', ')} still not on ${version} after ${REPAIR_ATTEMPTS} repairs`,
        );
      }
      const orch = new Orchestrator(api, version, policyFromPreset('talosctl'), behind, () => {});
      orch.start();
      await waitFor(`repair to ${version}`, async () => orch.finished, 120_000);
      if (orch.report().halted) await sleep(5_000);
    }
  } finally {
    api.close();
  }
}

const REPAIR_ATTEMPTS = 3;

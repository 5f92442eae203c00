// The agent's etcd service against real etcd 3.4 (F§3): a node whose EPHEMERAL was wiped rejoins as a new
// learner after removing its old self and is promoted; a learner that restarts on its own data stays a
// learner for good (T#5794, T#13710). Every etcd process is killed afterwards, even when a test fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentEtcd, type AgentEtcdTiming } from '../../../../sim/remote/agent/etcd-member.js';
import { freePort, killAllTracked, trackedPids } from '../../../../sim/remote/etcd/process.js';
import { pollFor, RealEtcdCluster } from '../../../../sim/remote/etcd/cluster.js';

const FAST: AgentEtcdTiming = {
  joinRetryMs: 500,
  joinForMs: 30_000,
  promoteEveryMs: 1_000,
  promoteForMs: 30_000,
  commandTimeoutMs: 3_000,
};

let cluster: RealEtcdCluster | null = null;
let agent: AgentEtcd | null = null;
let dir: string | null = null;

afterEach(async () => {
  await agent?.stop('kill');
  await cluster?.close();
  killAllTracked();
  if (dir) rmSync(dir, { recursive: true, force: true });
  expect(trackedPids()).toEqual([]);
  agent = null;
  cluster = null;
  dir = null;
});

async function wipedThird(timing: AgentEtcdTiming): Promise<{ oldId: string }> {
  cluster = await RealEtcdCluster.start(['cp1', 'cp2', 'cp3']);
  const oldId = cluster.member('cp3').id!;
  // cp3 loses power and its EPHEMERAL: the process dies, its data is gone.
  await cluster.killMember('cp3');
  dir = mkdtempSync(join(tmpdir(), 'upgradelab-agent-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  agent = new AgentEtcd(
    {
      name: 'cp3',
      dataDir: join(dir, 'EPHEMERAL', 'var', 'lib', 'etcd'),
      clientPort,
      peerPort,
      advertisedPeerPort: peerPort,
      clusterToken: 'unused-for-existing',
      peers: [cluster.member('cp1').client.endpoint, cluster.member('cp2').client.endpoint],
    },
    timing,
  );
  return { oldId };
}

describe('agent etcd service on real etcd (F§3)', () => {
  it('a wiped control plane removes its old member, joins as a learner and is promoted', async () => {
    const { oldId } = await wipedThird(FAST);
    const r = await agent!.start();
    expect(r).toMatchObject({ ok: true, how: 'joined-as-learner' });
    const newId = r.ok ? r.memberId : null;
    expect(newId).not.toBe(oldId);
    const promoted = await pollFor(() => (agent!.promotion === 'promoted' ? true : null), 25_000);
    expect(promoted, agent!.log.join('\n')).toBe(true);
    const members = await cluster!.client('cp1').memberList();
    expect(members.ok).toBe(true);
    if (members.ok) {
      expect(members.value.map((m) => m.id)).not.toContain(oldId);
      expect(members.value.filter((m) => !m.isLearner)).toHaveLength(3);
    }
    // A voter serves linearizable writes.
    const put = await pollFor(async () => {
      const p = await agent!.client.put('k', 'v');
      return p.ok ? p : null;
    }, 10_000);
    expect(put?.ok).toBe(true);
  }, 60_000);

  it('a learner that restarts on its own data is not promoted by that start (T#5794)', async () => {
    await wipedThird({ ...FAST, promoteEveryMs: 60_000 });
    const r = await agent!.start();
    expect(r).toMatchObject({ ok: true, how: 'joined-as-learner' });
    await pollFor(async () => ((await agent!.client.status()).ok ? true : null), 10_000);
    await agent!.stop('kill');
    const again = await agent!.start();
    expect(again).toMatchObject({ ok: true, how: 'own-data' });
    expect(agent!.promotion).toBe('none');
    await new Promise((res) => setTimeout(res, 3_000));
    const members = await cluster!.client('cp1').memberList();
    expect(members.ok && members.value.filter((m) => m.isLearner).length).toBe(1);
  }, 60_000);
});

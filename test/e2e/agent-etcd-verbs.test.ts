// EtcdForfeitLeadership and EtcdLeaveCluster on agents with real etcd (issue 10), through the gRPC client:
// - forfeit on a member that does not lead does nothing and answers ''; on the leader it moves leadership to
//   another started voter, which the real etcd then reports as leader (F§4);
// - leave right after a peer restarted is first refused by etcd ("unhealthy cluster": that peer has not been
//   connected for 5 s, F§4) and succeeds on Talos's retry (F§3); the member is gone from the real member
//   list, its etcd is stopped and its data dir removed; a second leave is refused (not a member).
// Every agent and etcd is gone afterwards, even when the test fails.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EtcdClient } from '../../sim/remote/etcd/client.js';
import { realNodeFolder, startLab, TEARDOWN_MS } from '../helpers/lab.js';
import { ask, waitFor } from '../unit/remote/harness.js';

const SPEED = 60;
const folder = realNodeFolder('upgradelab-verbs-');

afterAll(() => folder.teardown(), TEARDOWN_MS);

/** The leader's name as the real etcd reports it through `endpoint`, or null. */
async function leaderVia(endpoints: string[]): Promise<string | null> {
  for (const ep of endpoints) {
    const c = new EtcdClient(ep, 1_000);
    const [s, l] = await Promise.all([c.status(), c.memberList()]);
    if (!s.ok || !l.ok || s.value.leader === '0') continue;
    return l.value.find((m) => m.id === s.value.leader)?.name ?? null;
  }
  return null;
}

describe('EtcdForfeitLeadership and EtcdLeaveCluster on agents (real etcd)', () => {
  it('forfeit moves leadership; leave waits out "unhealthy cluster", removes the member and its data', async () => {
    const { lab, api, endpoints } = await startLab(folder.root, {
      version: 'v1.8.0',
      speed: SPEED,
      callTimeoutMs: 30_000,
    });
    try {
      // Forfeit: a follower does nothing; the leader hands over to another voter.
      const leader = await leaderVia(endpoints);
      expect(leader).not.toBeNull();
      const follower = ['cp1', 'cp2', 'cp3'].find((n) => n !== leader)!;
      expect(await ask<string>((r) => api.etcdForfeitLeadership(follower, r))).toEqual({
        ok: true,
        value: '',
      });
      expect(await leaderVia(endpoints)).toBe(leader);
      const moved = await ask<string>((r) => api.etcdForfeitLeadership(leader!, r));
      expect(moved.ok, JSON.stringify(moved)).toBe(true);
      if (!moved.ok) return;
      expect(['cp1', 'cp2', 'cp3'].filter((n) => n !== leader)).toContain(moved.value);
      await waitFor(`${moved.value} leads`, async () => (await leaderVia(endpoints)) === moved.value, 5_000);

      // Leave right after a peer restarted: cp2 loses power and comes back; as soon as its etcd answers,
      // cp3 leaves. Removing cp3 would leave {cp1, cp2}, and cp2 has not been connected for 5 s: etcd
      // refuses ("unhealthy cluster") until it has, and the agent retries that, as Talos does.
      const cp2 = lab.nodes.find((n) => n.name === 'cp2')!;
      expect((await ask<string>((r) => api.powerOff('cp2', r))).ok).toBe(true);
      expect((await ask<string>((r) => api.powerOn('cp2', r))).ok).toBe(true);
      await waitFor(
        "cp2's etcd answers again",
        async () => (await new EtcdClient(`http://127.0.0.1:${cp2.etcdClientPort}`, 500).status()).ok,
        30_000,
      );
      const t0 = Date.now();
      const left = await ask<string>((r) => api.etcdLeave('cp3', r));
      const tookMs = Date.now() - t0;
      expect(left.ok, JSON.stringify(left)).toBe(true);
      const list = await new EtcdClient(endpoints[0]!, 3_000).memberList();
      expect(list.ok && list.value.map((m) => m.name).sort()).toEqual(['cp1', 'cp2']);
      // Its etcd is stopped and its data dir is gone (a removed member's data is no longer valid).
      const cp3 = lab.nodes.find((n) => n.name === 'cp3')!;
      expect((await new EtcdClient(`http://127.0.0.1:${cp3.etcdClientPort}`, 500).status()).ok).toBe(false);
      expect(existsSync(join(folder.root, 'cp3', 'disk', 'EPHEMERAL', 'var', 'lib', 'etcd'))).toBe(false);
      // Leaving again: not a member any more, refused as definite.
      const again = await ask<string>((r) => api.etcdLeave('cp3', r));
      expect(again).toMatchObject({ ok: false, definite: true });
      expect(!again.ok && again.error).toMatch(/not an etcd member/);
      process.stdout.write(`leave after a peer restart took ${tookMs} ms (etcd's 5-s rule waited out)\n`);
    } finally {
      api.close();
    }
  }, 180_000);
});

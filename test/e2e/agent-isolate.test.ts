// Full isolation of an agent (issue 10): the Lab verb Isolate on the etcd leader cuts its peer traffic both
// ways — its own proxy drops what comes in, and every other agent of the lab drops what it sends (the shared
// lab folder, sim/remote/agent/shared-isolation.ts). So, as on a real network (F§4: a cut leader loses its
// leadership; the minority side is unavailable), the two others elect a new leader within a few seconds and
// the isolated member cannot write; after Heal it catches up and serves again. Every process is gone
// afterwards, even when the test fails.
import { afterAll, describe, expect, it } from 'vitest';
import { EtcdClient } from '../../sim/remote/etcd/client.js';
import { realNodeFolder, startLab, TEARDOWN_MS } from '../helpers/lab.js';
import { ask, waitFor } from '../unit/remote/harness.js';

const SPEED = 60;
const folder = realNodeFolder('upgradelab-isolate-');
/** Elections take 1-2.5 s with heartbeat 100 ms / election timeout 1 s (F§4); a loaded machine adds some. */
const NEW_LEADER_WITHIN_MS = 8_000;

afterAll(() => folder.teardown(), TEARDOWN_MS);

/** The leader's name as the member behind `endpoint` sees it, or null. */
async function leaderSeenBy(endpoint: string): Promise<string | null> {
  const c = new EtcdClient(endpoint, 1_000);
  const [s, l] = await Promise.all([c.status(), c.memberList()]);
  if (!s.ok || !l.ok || s.value.leader === '0') return null;
  return l.value.find((m) => m.id === s.value.leader)?.name ?? null;
}

describe('Isolate on an agent cuts its etcd peer traffic both ways (real etcd)', () => {
  it('an isolated leader is replaced within seconds and cannot write; after Heal it serves again', async () => {
    const { lab, api } = await startLab(folder.root, { version: 'v1.8.0', speed: SPEED });
    const ep = (name: string) => `http://127.0.0.1:${lab.nodes.find((n) => n.name === name)!.etcdClientPort}`;
    try {
      let leader: string | null = null;
      await waitFor('a leader', async () => (leader = await leaderSeenBy(ep('cp1'))) !== null, 10_000);
      const others = ['cp1', 'cp2', 'cp3'].filter((n) => n !== leader);

      const iso = await ask<string>((r) => api.isolate(leader!, r));
      expect(iso).toEqual({ ok: true, value: `${leader} isolated` });
      const t0 = Date.now();
      await waitFor(
        `a new leader among ${others.join(', ')}`,
        async () => {
          const seen = await leaderSeenBy(ep(others[0]!));
          return seen !== null && seen !== leader && others.includes(seen);
        },
        NEW_LEADER_WITHIN_MS,
      );
      const electedMs = Date.now() - t0;
      // The majority side writes; the isolated member cannot (no quorum on its side: it times out).
      expect(await new EtcdClient(ep(others[1]!), 3_000).put('iso/majority', 'yes')).toMatchObject({
        ok: true,
      });
      const minority = await new EtcdClient(ep(leader!), 2_000).put('iso/minority', 'no');
      expect(minority.ok).toBe(false);
      // ... and its write must not reach the majority either: a member cut only one way would still forward
      // the proposal to the new leader over the connections it opens (etcd's pipeline), and the write would
      // be applied behind an error. No split brain (F§4).
      const leaked = await new EtcdClient(ep(others[0]!), 3_000).get('iso/minority');
      expect(leaked).toMatchObject({ ok: true, value: { value: null } });

      expect((await ask<string>((r) => api.heal(leader!, r))).ok).toBe(true);
      await waitFor(
        `${leader} serves a linearizable read of the majority's write again`,
        async () => {
          const g = await new EtcdClient(ep(leader!), 1_000).get('iso/majority');
          return g.ok && g.value.value === 'yes';
        },
        15_000,
      );
      process.stdout.write(`isolated leader ${leader} replaced after ${electedMs} ms\n`);
    } finally {
      api.close();
    }
  }, 120_000);
});

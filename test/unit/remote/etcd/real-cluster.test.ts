import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import {
  ETCD_BINARY,
  RealEtcdCluster,
  killAllTracked,
  pollFor,
  trackedPids,
} from '../../../../sim/remote/etcd/index.js';

// The real-etcd helpers against /usr/bin/etcd 3.4 (Debian etcd-server, installed by .ci/run). The
// differential suite (test/differential/) exercises them further; this checks the life cycle itself.

afterAll(() => {
  killAllTracked();
});

describe.skipIf(!existsSync(ETCD_BINARY))('RealEtcdCluster (real etcd 3.4)', () => {
  it('starts a 3-member cluster on free ports, serves put/get, and close() kills every pid and removes its dir', async () => {
    const c = await RealEtcdCluster.start(['a', 'b', 'c'], { commandTimeoutMs: 2_000 });
    try {
      const pids = c.names().map((n) => c.member(n).process.pid);
      expect(pids.every((p) => p !== null && trackedPids().includes(p))).toBe(true);
      expect(await c.client('a').put('k', 'v')).toMatchObject({ ok: true });
      expect(await c.client('c').get('k')).toMatchObject({ ok: true, value: { value: 'v' } });
      const members = await c.refreshIds();
      expect(members?.map((m) => m.name).sort()).toEqual(['a', 'b', 'c']);
      // Every peer URL is the proxy's port, so cuts can reach every peer connection.
      expect(
        members?.every((m) => m.peerURLs.some((u) => c.names().some((n) => c.member(n).peerURL === u))),
      ).toBe(true);
    } finally {
      const pids = c.names().map((n) => c.member(n).process.pid);
      await c.close();
      expect(existsSync(c.dir)).toBe(false);
      for (const p of pids) expect(trackedPids()).not.toContain(p);
    }
  });

  it('a SIGKILLed member is down (client: definite "unavailable"); restart brings it back on its data', async () => {
    const c = await RealEtcdCluster.start(['a', 'b', 'c'], { commandTimeoutMs: 2_000 });
    try {
      expect(await c.client('a').put('k', 'before')).toMatchObject({ ok: true });
      await c.killMember('b');
      expect(c.member('b').process.exit?.signal).toBe('SIGKILL');
      const r = await c.client('b').get('k');
      expect(r).toMatchObject({ ok: false, error: { code: 'unavailable', definite: true } });
      c.startMember('b');
      // It takes a moment to listen again: poll with a bound, not a fixed sleep.
      const back = await pollFor(async () => {
        const g = await c.client('b').get('k', { serializable: true });
        return g.ok ? g.value.value : null;
      }, 10_000);
      expect(back).toBe('before');
    } finally {
      await c.close();
    }
  });
});

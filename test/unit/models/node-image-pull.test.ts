// F§3: "The installer image is pulled inside the API call, before the lock and the sequence: a pull failure
// is a refused request (no cordon, no drain, no leave, no reboot)." The node model refuses the request in
// its Upgrade handler while the imagePullFails condition is on; an installer failure inside an accepted
// sequence (installFails, T#10364) is a different thing and still reboots the node.
import { describe, expect, it } from 'vitest';
import { installerImage } from '../../../models/node.js';
import { READY_AT, sequenceHarness } from '../../helpers/node-harness.js';

const LONG_MS = 30 * 60_000;

/** Boot to Ready, switch the pull failure on, request an upgrade to `to` and run for 30 min. */
function refusedPull(opts: { version: string; to: string; stage?: boolean; preserve?: boolean }) {
  const h = sequenceHarness({ version: opts.version });
  h.bootToReady();
  const t0 = h.scheduler.now;
  h.send({ type: 'SET_IMAGE_PULL_FAILURE', reason: 'context deadline exceeded' });
  h.upgrade({ version: opts.to, stage: opts.stage ?? false, preserve: opts.preserve ?? false });
  h.runUntil(t0 + LONG_MS);
  return { h, t0 };
}

describe('a failed installer image pull is a refused request (F§3)', () => {
  // 1.7 without preserve would leave etcd, 1.8 would cordon and drain, 1.13 would install live first, and
  // a staged request would write META: the refusal comes before every one of them.
  const cases = [
    { name: 'a 1.7 node without preserve (would leave etcd)', version: 'v1.7.6', to: 'v1.8.0' },
    { name: 'a 1.8 node (would cordon and drain)', version: 'v1.8.0', to: 'v1.9.0' },
    { name: 'a 1.13 node (would install live)', version: 'v1.13.0', to: 'v1.13.1' },
    { name: 'a staged request (would write META)', version: 'v1.8.0', to: 'v1.9.0', stage: true },
  ];
  for (const c of cases) {
    it(`${c.name}: refused with Talos's error; no pre-check, cordon, drain, leave, write or reboot`, () => {
      const { h, t0 } = refusedPull(c);
      const image = installerImage(c.to);
      const replies = h.of('api.reply', t0);
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatchObject({
        ok: false,
        detail: `error validating installer image "${image}": failed to pull image "${image}": context deadline exceeded`,
      });
      // The refusal is immediate: the pull comes before the mutex and the pre-checks (F§3).
      expect(replies[0]!.t).toBe(t0);
      expect(h.steps()).toEqual(['request', 'refused']);
      for (const type of ['precheck', 'kube.api', 'etcd.leave', 'etcd.stop', 'slot.write', 'meta'] as const)
        expect(h.of(type, t0), type).toEqual([]);
      expect(h.of('state', t0), 'no state change: no reboot').toEqual([]);
      expect(h.ctx).toMatchObject({ version: c.version, ready: true, cordoned: false, upgrade: null });
      expect(h.ctx.disk.meta?.staged ?? null).toBeNull();
    });
  }

  it('once the pull works again the same request is accepted and the node upgrades', () => {
    const { h } = refusedPull({ version: 'v1.8.0', to: 'v1.9.0' });
    const t1 = h.scheduler.now;
    h.send({ type: 'SET_IMAGE_PULL_FAILURE', reason: null });
    h.upgrade({ version: 'v1.9.0' });
    h.runUntil(t1 + LONG_MS);
    expect(h.of('api.reply', t1)[0]).toMatchObject({ ok: true, detail: 'upgrade accepted' });
    expect(h.ctx).toMatchObject({ version: 'v1.9.0', ready: true });
  });

  it('during a running sequence the refusal reaches only the caller: the sequence goes on', () => {
    const h = sequenceHarness({ version: 'v1.8.0' });
    h.bootToReady();
    h.upgrade({ version: 'v1.9.0' });
    h.runUntil(READY_AT + 1_000); // inside cordon
    h.send({ type: 'SET_IMAGE_PULL_FAILURE', reason: 'registry unreachable' });
    const t1 = h.scheduler.now;
    h.upgrade({ version: 'v1.9.0' });
    const reply = h.of('api.reply', t1);
    expect(reply).toMatchObject([{ ok: false }]);
    expect(reply[0]!.detail).toContain('error validating installer image');
    expect(h.of('upgrade.step', t1), 'the running sequence keeps its record').toEqual([]);
    h.runUntil(t1 + LONG_MS);
    expect(h.ctx).toMatchObject({ version: 'v1.9.0', ready: true });
  });

  it('an installer failure inside an accepted sequence (installFails, T#10364) still reboots the node', () => {
    const h = sequenceHarness({ version: 'v1.8.0' });
    h.bootToReady();
    const t0 = h.scheduler.now;
    h.send({ type: 'SET_INSTALL_FAILURE', reason: 'pulling installer image: context deadline exceeded' });
    h.upgrade({ version: 'v1.9.0' });
    h.runUntil(t0 + LONG_MS);
    expect(h.of('api.reply', t0)[0]).toMatchObject({ ok: true });
    expect(h.steps()).toContain('cordon');
    expect(h.of('state', t0).map((e) => e.state)).toContain('rebooting');
    expect(h.ctx).toMatchObject({ version: 'v1.8.0', ready: true });
  });
});

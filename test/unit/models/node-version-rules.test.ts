// F§3 "which code runs what": the running version's machined picks the API handler, pre-checks and
// sequence; the target's installer decides whether EPHEMERAL can still be wiped.
import { describe, expect, it } from 'vitest';
import { READY_AT, sequenceHarness } from '../../helpers/node-harness.js';

const AFTER = READY_AT + 10 * 60_000;

function upgrade(from: string, to: string, opts: { stage?: boolean; preserve?: boolean } = {}) {
  const h = sequenceHarness({ version: from });
  h.bootToReady();
  h.upgrade({ version: to, ...opts });
  h.runUntil(AFTER);
  return h;
}

describe('node: the running version picks the rules (F§3)', () => {
  it('F§3: v1.7.6 -> v1.8.0 leaves etcd (talosctl sends preserve=false) but the 1.8 installer keeps /var', () => {
    const h = upgrade('v1.7.6', 'v1.8.0');
    expect(h.of('precheck')).toMatchObject([{ rules: 'talos-1.7', preserve: false }]);
    expect(h.steps()).toContain('leave-etcd');
    // LeaveCluster removed the etcd data dir; the installer refused to wipe EPHEMERAL.
    expect(h.of('etcd.dataWiped')).toHaveLength(1);
    expect(h.of('disk.wipe')).toEqual([]);
    expect(h.ctx.disk.ephemeral).toEqual({ etcd: null, userData: true });
    expect(h.ctx.version).toBe('v1.8.0');
  });

  it('F§1/F§3: v1.6.7 -> v1.7.6 without preserve leaves etcd and the 1.7 installer wipes EPHEMERAL (T#7889)', () => {
    const h = upgrade('v1.6.7', 'v1.7.6');
    expect(h.steps()).toContain('leave-etcd');
    expect(h.of('disk.wipe').map((e) => e.label)).toEqual(['EPHEMERAL']);
    expect(h.ctx.disk.ephemeral.userData).toBe(false);
  });

  it('F§3: with preserve a 1.7 node neither leaves nor wipes', () => {
    const h = upgrade('v1.7.6', 'v1.7.7', { preserve: true });
    expect(h.steps()).not.toContain('leave-etcd');
    expect(h.of('disk.wipe')).toEqual([]);
    expect(h.ctx.disk.ephemeral).toEqual({ etcd: { memberId: 'm1' }, userData: true });
  });

  it('F§3: v1.8.0 -> v1.9.0 never leaves etcd and never wipes', () => {
    const h = upgrade('v1.8.0', 'v1.9.0');
    expect(h.of('precheck')).toMatchObject([{ rules: 'talos-1.8' }]);
    expect(h.steps()).not.toContain('leave-etcd');
    expect(h.of('etcd.dataWiped')).toEqual([]);
    expect(h.ctx.disk.ephemeral).toEqual({ etcd: { memberId: 'm1' }, userData: true });
    expect(h.ctx.version).toBe('v1.9.0');
  });

  it('F§3: v1.12.4 -> v1.13.0 goes through the legacy Upgrade call: pre-checks, cordon and drain before the install', () => {
    const h = upgrade('v1.12.4', 'v1.13.0');
    expect(h.of('precheck')).toHaveLength(1);
    const steps = h.steps();
    expect(steps.indexOf('cordon')).toBeLessThan(steps.indexOf('install'));
    expect(steps.indexOf('prechecks')).toBeLessThan(steps.indexOf('cordon'));
    expect(h.ctx.version).toBe('v1.13.0');
  });

  it('F§3: v1.13.0 -> v1.13.1 uses the LifecycleService: no etcd pre-checks, live install before cordon', () => {
    const h = upgrade('v1.13.0', 'v1.13.1');
    expect(h.of('precheck')).toEqual([]);
    const steps = h.steps();
    expect(steps.indexOf('install')).toBeLessThan(steps.indexOf('cordon'));
    expect(h.ctx.version).toBe('v1.13.1');
  });

  it('the scenario profile is an explicit override of the running version', () => {
    const h = sequenceHarness({ version: 'v1.7.6', profile: 'talos-1.8' });
    h.bootToReady();
    h.upgrade({ version: 'v1.8.0' });
    h.runUntil(AFTER);
    expect(h.of('precheck')).toMatchObject([{ rules: 'talos-1.8' }]);
    expect(h.steps()).not.toContain('leave-etcd');
  });

  it('F§3: after the upgrade the new version rules the next request (1.7 -> 1.8 -> 1.9 leaves only once)', () => {
    const h = upgrade('v1.7.6', 'v1.8.0');
    expect(h.steps().filter((s) => s === 'leave-etcd')).toHaveLength(1);
    h.upgrade({ version: 'v1.9.0' });
    h.runUntil(AFTER * 2);
    expect(h.of('precheck').map((e) => e.rules)).toEqual(['talos-1.7', 'talos-1.8']);
    expect(h.steps().filter((s) => s === 'leave-etcd')).toHaveLength(1);
    expect(h.ctx.version).toBe('v1.9.0');
  });
});

describe('node: staged upgrades and leave (F§3)', () => {
  it('F§3: a staged v1.7.6 -> v1.8.0 has no cordon or drain, still leaves etcd and removes the data dir', () => {
    const h = upgrade('v1.7.6', 'v1.8.0', { stage: true });
    const steps = h.steps();
    expect(steps).not.toContain('cordon');
    expect(steps).not.toContain('drain');
    expect(steps).toContain('leave-etcd');
    expect(h.of('etcd.dataWiped')).toHaveLength(1);
    expect(h.ctx.disk.ephemeral).toEqual({ etcd: null, userData: true });
    expect(h.ctx.version).toBe('v1.8.0');
  });

  it('F§3: a worker never leaves etcd and never runs the etcd pre-checks', () => {
    const h = sequenceHarness({ version: 'v1.7.6', role: 'worker' });
    h.bootToReady();
    h.upgrade({ version: 'v1.8.0' });
    h.runUntil(AFTER);
    expect(h.of('precheck')).toEqual([]);
    expect(h.steps()).not.toContain('leave-etcd');
    expect(h.ctx.version).toBe('v1.8.0');
  });
});

describe('node: a failed 1.13 live install (F§3)', () => {
  it('F§3: on a node running 1.13 a failed live install stops with no reboot; the node stays Ready', () => {
    const h = sequenceHarness({ version: 'v1.13.0' });
    h.bootToReady();
    h.send({ type: 'SET_BOOT_FULL', full: true });
    h.upgrade({ version: 'v1.13.1' });
    h.runUntil(AFTER);
    expect(h.of('slot.write').map((e) => e.phase)).toEqual(['start', 'failed']);
    expect(h.steps()).toContain('stopped');
    expect(h.steps()).not.toContain('cordon');
    expect(h.of('state').map((e) => e.state)).not.toContain('rebooting');
    expect(h.ctx.version).toBe('v1.13.0');
    expect(h.ctx.ready).toBe(true);
    expect(h.ctx.upgrade).toBeNull();
  });

  it('F§3: the legacy call of a v1.12 node reboots on its current slot after a failed install', () => {
    const h = sequenceHarness({ version: 'v1.12.4' });
    h.bootToReady();
    h.send({ type: 'SET_BOOT_FULL', full: true });
    h.upgrade({ version: 'v1.13.0' });
    h.runUntil(AFTER);
    expect(h.of('slot.write').map((e) => e.phase)).toEqual(['start', 'failed']);
    expect(h.of('state').map((e) => e.state)).toContain('rebooting');
    expect(h.ctx.version).toBe('v1.12.4');
  });
});

describe('node: cordon and drain need the Kubernetes API (F§3)', () => {
  const noApi = (reason: string) => () => ({ ok: false, reason });

  it('F§3: cordon without the API (no etcd leader) fails the sequence: no drain, no install, reboot on the old version', () => {
    const h = sequenceHarness({
      version: 'v1.8.0',
      kubeApi: noApi('the Kubernetes API did not answer within 1 min'),
    });
    h.bootToReady();
    h.upgrade({ version: 'v1.9.0' });
    h.runUntil(AFTER);
    expect(h.of('kube.api').map((e) => e.purpose)).toEqual(['cordon']);
    expect(h.of('upgrade.step').find((e) => e.step === 'failed')?.detail).toMatch(/^cordon: /);
    expect(h.steps()).not.toContain('drain');
    expect(h.of('slot.write')).toEqual([]);
    expect(h.of('state').map((e) => e.state)).toContain('rebooting');
    expect(h.ctx.version).toBe('v1.8.0');
  });

  it('F§3: drain fails if the pods cannot be listed', () => {
    const h = sequenceHarness({
      version: 'v1.8.0',
      kubeApi: (purpose) =>
        purpose === 'drain' ? { ok: false, reason: 'unavailable' } : { ok: true, reason: 'ok' },
    });
    h.bootToReady();
    h.upgrade({ version: 'v1.9.0' });
    h.runUntil(AFTER);
    expect(h.of('upgrade.step').find((e) => e.step === 'failed')?.detail).toBe(
      'drain: listing pods: unavailable',
    );
    expect(h.of('slot.write')).toEqual([]);
    expect(h.ctx.version).toBe('v1.8.0');
  });

  it('F§3: the 1.13 live install cordons and drains from the client side: no API gate in the node', () => {
    const h = sequenceHarness({ version: 'v1.13.0', kubeApi: noApi('unavailable') });
    h.bootToReady();
    h.upgrade({ version: 'v1.13.1' });
    h.runUntil(AFTER);
    expect(h.of('kube.api')).toEqual([]);
    expect(h.ctx.version).toBe('v1.13.1');
  });
});

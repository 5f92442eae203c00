import { describe, it, expect } from 'vitest';
import { TALOS_TIMEOUTS } from '../../../models/node.js';
import type { NodeTiming } from '../../../models/node.js';
import { NodeHarness, READY_AT, RUNNING_AT, STAGE_MS } from '../../helpers/node-harness.js';

const MS = STAGE_MS;
/** An upgrade requested at READY_AT (no pre-check delay) flips and reboots after cordon + drain + install. */
const FLIP_AT = READY_AT + MS.cordon + MS.drain + MS.install;
/** ...then a kexec boot of the new slot: Running and Ready. */
const UPGRADED_RUNNING_AT = FLIP_AT + MS.kernel + MS.init;
const UPGRADED_READY_AT = UPGRADED_RUNNING_AT + MS.ready;

describe('node: first boot', () => {
  it('F§2 power on: firmware, bootloader, kernel, init, running, ready on slot A', () => {
    const h = new NodeHarness();
    h.bootToReady();
    expect(h.states()).toEqual(['off', 'firmware', 'kernel', 'init', 'running']);
    expect(h.stateAt('running')).toBe(RUNNING_AT);
    expect(h.of('ready')).toEqual([{ type: 'ready', version: 'v1', t: READY_AT }]);
    expect(h.ctx.bootedSlot).toBe('A');
    expect(h.of('boot.decision')[0]).toMatchObject({ slot: 'A', mode: 'powercycle' });
  });

  it('F§2 a control plane waits in init for etcd (etcd.start) and is Running only once etcd is healthy', () => {
    const h = new NodeHarness({ role: 'controlplane' });
    h.bootToReady();
    expect(h.of('etcd.start').map((e) => e.t)).toEqual([RUNNING_AT]);
    expect(h.stateAt('running')).toBe(RUNNING_AT);
  });

  it('stage delays are drawn from the seeded PRNG: same seed, same timeline; each delay within its range', () => {
    const timing: NodeTiming = {
      firmware: { minMs: 1_000, maxMs: 9_000 },
      kernel: { minMs: 1_000, maxMs: 9_000 },
      init: { minMs: 1_000, maxMs: 9_000 },
      ready: { minMs: 1_000, maxMs: 9_000 },
      cordon: { minMs: 1_000, maxMs: 9_000 },
      drain: { minMs: 1_000, maxMs: 9_000 },
      install: { minMs: 1_000, maxMs: 9_000 },
    };
    const run = (seed: number) => {
      const h = new NodeHarness({ timing, rngSeed: seed });
      h.send({ type: 'POWER_ON' });
      h.runUntil(100_000);
      h.upgrade();
      h.runUntil(300_000);
      expect(h.ctx.version).toBe('v2');
      return h.events;
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
    const states = a.filter((e) => e.type === 'state');
    for (let i = 1; i < states.length; i++) {
      const prev = states[i - 1]!;
      if (prev.type === 'state' && ['firmware', 'kernel'].includes(prev.state)) {
        const gap = states[i]!.t - prev.t;
        expect(gap).toBeGreaterThanOrEqual(1_000);
        expect(gap).toBeLessThanOrEqual(9_000);
      }
    }
  });
});

describe('node: the upgrade writes only the inactive slot (F§1, F§2)', () => {
  it('F§1/F§2: writes only the inactive slot, flips default:=new, fallback:=old, META tag 6 := old label', () => {
    const h = new NodeHarness();
    h.bootToReady();
    const before = structuredClone(h.ctx.disk);
    const id = h.upgrade();
    expect(h.reply(id)).toMatchObject({ ok: true, detail: 'upgrade accepted' });
    h.runUntil(FLIP_AT);

    expect(h.of('slot.write').map((e) => [e.slot, e.version, e.phase, e.t])).toEqual([
      ['B', 'v2', 'start', READY_AT + MS.cordon + MS.drain],
      ['B', 'v2', 'done', FLIP_AT],
    ]);
    expect(h.of('bootloader.flip')).toEqual([
      { type: 'bootloader.flip', default: 'B', fallback: 'A', t: FLIP_AT },
    ]);
    expect(h.of('meta')).toEqual([{ type: 'meta', key: 'upgradeFallback', value: 'A', t: FLIP_AT }]);
    const disk = h.ctx.disk;
    expect(disk.boot.A).toEqual(before.boot.A); // the active slot is never touched
    expect(disk.boot.B).toEqual({ version: 'v2', intact: true });
    expect(disk.bootloader).toEqual({ default: 'B', fallback: 'A' });
    expect(disk.meta?.upgradeFallback).toBe('A');
    // Never repartitions; 1.8 keeps STATE and EPHEMERAL.
    expect(disk.state).toEqual(before.state);
    expect(disk.ephemeral).toEqual(before.ephemeral);

    h.runUntil(UPGRADED_READY_AT);
    expect(h.ctx.version).toBe('v2');
    expect(h.ctx.bootedSlot).toBe('B');
    expect(h.ctx.disk.boot.A).toEqual(before.boot.A);
  });

  it('F§1/F§2: the next upgrade writes the other slot again (A), overwriting the oldest version', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.upgrade({ version: 'v2' });
    h.runUntil(UPGRADED_READY_AT);
    h.upgrade({ version: 'v3' });
    h.runUntil(UPGRADED_READY_AT + 60_000);
    expect(h.ctx.version).toBe('v3');
    expect(h.ctx.disk.boot).toEqual({
      A: { version: 'v3', intact: true },
      B: { version: 'v2', intact: true },
    });
    expect(h.ctx.disk.bootloader).toEqual({ default: 'A', fallback: 'B' });
  });

  it('F§2: the new slot is proven when Running and Ready: tag 6 is deleted then, not before', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.upgrade();
    h.runUntil(UPGRADED_RUNNING_AT);
    expect(h.stateAt('running', FLIP_AT)).toBe(UPGRADED_RUNNING_AT);
    expect(h.ctx.disk.meta?.upgradeFallback).toBe('A');
    h.runUntil(UPGRADED_READY_AT - 1);
    expect(h.ctx.disk.meta?.upgradeFallback).toBe('A');
    h.runUntil(UPGRADED_READY_AT);
    expect(h.ctx.disk.meta?.upgradeFallback).toBeNull();
    expect(h.of('meta', FLIP_AT + 1)).toEqual([
      { type: 'meta', key: 'upgradeFallback', value: null, t: UPGRADED_READY_AT },
    ]);
    expect(h.of('ready', FLIP_AT)).toEqual([{ type: 'ready', version: 'v2', t: UPGRADED_READY_AT }]);
    // The fallback slot stays configured for a manual rollback.
    expect(h.ctx.disk.bootloader).toEqual({ default: 'B', fallback: 'A' });
  });
});

describe('node: failed boots and reverts (F§2)', () => {
  it('F§2: a failed boot sequence with tag 6 reverts to the previous slot, deletes the tag, reboots after ~10 s', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'init', remaining: 1 } });
    h.upgrade();
    h.runUntil(UPGRADED_READY_AT + 60_000);

    const failedAt = UPGRADED_RUNNING_AT; // init runs its full length, then the sequence fails
    expect(h.of('boot.failed')).toEqual([
      { type: 'boot.failed', stage: 'init', version: 'v2', reverted: true, t: failedAt },
    ]);
    expect(h.stateAt('bootFailed')).toBe(failedAt);
    expect(h.stateAt('rebooting', failedAt) ?? 0).toBe(failedAt + TALOS_TIMEOUTS.revertRebootMs);
    expect(h.of('bootloader.flip', failedAt)).toEqual([
      { type: 'bootloader.flip', default: 'A', fallback: 'B', t: failedAt },
    ]);
    expect(h.of('meta', failedAt)[0]).toMatchObject({ key: 'upgradeFallback', value: null });
    expect(h.ctx.disk.meta?.upgradeFallback).toBeNull();
    expect(h.ctx.bootFaults).toEqual([{ version: 'v2', stage: 'init', remaining: 0 }]);
    // Ends Running and Ready on the old version.
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.bootedSlot).toBe('A');
    expect(h.ctx.ready).toBe(true);
    expect(h.matches('running')).toBe(true);
  });

  it('F§2: one try only: an image that always fails init is tried once, then the node stays on the old version', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'init', remaining: null } });
    h.upgrade();
    h.runUntil(UPGRADED_READY_AT + 3_600_000);
    expect(h.of('boot.failed')).toHaveLength(1);
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.ready).toBe(true);
  });

  it('F§2 talos: a kernel panic before init is not covered: no revert, the node boot-loops while the fault lasts', () => {
    const h = new NodeHarness({ bootloader: 'talos' });
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'kernel', remaining: null } });
    h.upgrade();
    h.runUntil(FLIP_AT + 10 * 60_000);
    const panics = h.of('boot.failed');
    // One panic per loop: panic timeout + firmware + kernel.
    const loopMs = TALOS_TIMEOUTS.panicRebootMs + MS.firmware + MS.kernel;
    expect(panics.length).toBe(Math.floor((10 * 60_000 - MS.kernel) / loopMs) + 1);
    expect(panics.every((e) => e.stage === 'kernel' && e.version === 'v2' && !e.reverted)).toBe(true);
    expect(h.of('ready', FLIP_AT)).toEqual([]);
    expect(h.states(FLIP_AT)).not.toContain('init');
    expect(h.ctx.disk.bootloader).toEqual({ default: 'B', fallback: 'A' });
    expect(h.ctx.disk.meta?.upgradeFallback).toBe('A');
    // Each loop goes through firmware and the bootloader, which keeps choosing the default entry.
    expect(h.of('boot.decision', FLIP_AT + 1).every((e) => e.slot === 'B' && e.mode === 'powercycle')).toBe(
      true,
    );
  });

  it('F§2 talos: once the panic stops (fault spent), the looping node comes up on the new version', () => {
    const h = new NodeHarness({ bootloader: 'talos' });
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'kernel', remaining: 3 } });
    h.upgrade();
    h.runUntil(FLIP_AT + 10 * 60_000);
    expect(h.of('boot.failed')).toHaveLength(3);
    expect(h.ctx.version).toBe('v2');
    expect(h.ctx.ready).toBe(true);
  });

  it('F§2 grub-tentative: a kernel panic is caught: the next bootloader pass boots the fallback (one try)', () => {
    const h = new NodeHarness({ bootloader: 'grub-tentative' });
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'kernel', remaining: null } });
    h.upgrade({ rebootMode: 'powercycle' });
    h.runUntil(FLIP_AT);
    expect(h.ctx.disk.meta?.tentative).toBe('armed');
    h.runUntil(FLIP_AT + 10 * 60_000);
    expect(h.of('boot.failed')).toHaveLength(1);
    expect(h.of('boot.decision', FLIP_AT).map((e) => e.slot)).toEqual(['B', 'A']);
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.ready).toBe(true);
    expect(h.ctx.disk.bootloader).toEqual({ default: 'A', fallback: 'B' });
    expect(h.ctx.disk.meta).toMatchObject({ tentative: null, upgradeFallback: null });
  });

  // BUG (models/node.ts + models/bootloader.ts): DESIGN.md and F§2 promise `grub-tentative` "one try", but an
  // upgrade that reboots by kexec (the default policy, sim/scenario/policies.ts) never passes GRUB, so the
  // flag stays 'armed' through the first boot of the new image; the first GRUB pass after the panic only marks
  // it 'tried' and boots the new image a second time. The new image gets two tries (boot-counting: N+1).
  // Either the flag/counter must be spent by the kexec boot too, or these profiles must force power-cycle
  // reboots after an upgrade; as it stands the `rollback` invariant's "within the profile's tries" is off by one.
  it('F§2 grub-tentative: one try even when the upgrade reboots by kexec', () => {
    const h = new NodeHarness({ bootloader: 'grub-tentative' });
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'kernel', remaining: null } });
    h.upgrade({ rebootMode: 'kexec' });
    h.runUntil(FLIP_AT + 10 * 60_000);
    expect(h.ctx.version).toBe('v1');
    expect(h.of('boot.failed')).toHaveLength(1);
  });

  it('F§2 grub-tentative: an init failure is reverted by the bootloader, not by software', () => {
    const h = new NodeHarness({ bootloader: 'grub-tentative' });
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'init', remaining: null } });
    h.upgrade({ rebootMode: 'powercycle' });
    h.runUntil(FLIP_AT + 10 * 60_000);
    expect(h.of('boot.failed').map((e) => [e.stage, e.reverted])).toEqual([['init', false]]);
    expect(h.of('boot.decision', FLIP_AT).map((e) => [e.slot, e.mode])).toEqual([
      ['B', 'powercycle'],
      ['A', 'powercycle'],
    ]);
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.ready).toBe(true);
  });

  it('F§2 boot-counting: N tries of the new image, then the bootloader boots the fallback', () => {
    const h = new NodeHarness({ bootloader: 'boot-counting', bootTries: 2 });
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'kernel', remaining: null } });
    h.upgrade({ rebootMode: 'powercycle' });
    h.runUntil(FLIP_AT);
    expect(h.ctx.disk.meta?.triesLeft).toBe(2);
    h.runUntil(FLIP_AT + 10 * 60_000);
    expect(h.of('boot.failed')).toHaveLength(2);
    expect(h.of('boot.decision', FLIP_AT).map((e) => e.slot)).toEqual(['B', 'B', 'A']);
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.disk.meta?.triesLeft).toBeNull();
  });

  it.each(['grub-tentative', 'boot-counting'] as const)(
    'F§2 %s: a new image that reaches Running and Ready clears the flag/counter and stays',
    (bootloader) => {
      const h = new NodeHarness({ bootloader, bootTries: 1 });
      h.bootToReady();
      h.upgrade({ rebootMode: 'powercycle' });
      h.runUntil(UPGRADED_READY_AT + 60_000);
      expect(h.ctx.version).toBe('v2');
      expect(h.ctx.disk.meta).toMatchObject({ upgradeFallback: null, tentative: null, triesLeft: null });
      const t0 = h.scheduler.now;
      h.reboot('powercycle');
      h.runUntil(t0 + 60_000);
      expect(h.of('boot.decision', t0).map((e) => e.slot)).toEqual(['B']);
      expect(h.ctx.version).toBe('v2');
    },
  );

  it('F§2: boot timeout: a control plane whose etcd never becomes healthy fails its boot after 70 min', () => {
    const h = new NodeHarness({ role: 'controlplane', etcdHealthy: false });
    h.send({ type: 'POWER_ON' });
    const initAt = MS.firmware + MS.kernel;
    const timeoutAt = initAt + TALOS_TIMEOUTS.bootTimeoutMs;
    expect(TALOS_TIMEOUTS.bootTimeoutMs).toBe(70 * 60_000);
    h.runUntil(timeoutAt - 1);
    expect(h.of('boot.failed')).toEqual([]);
    expect(h.matches({ init: 'waitEtcd' } as never)).toBe(true);
    h.runUntil(timeoutAt);
    expect(h.of('boot.failed')).toEqual([
      { type: 'boot.failed', stage: 'timeout', version: 'v1', reverted: false, t: timeoutAt },
    ]);
    expect(h.matches('bootFailed')).toBe(true);
    // Without tag 6 there is nothing to revert to: it reboots on the same version after 10 s, through
    // firmware (F§2), and waits again.
    h.runUntil(timeoutAt + TALOS_TIMEOUTS.revertRebootMs + MS.firmware + MS.kernel + MS.init);
    expect(h.stateAt('rebooting')).toBe(timeoutAt + TALOS_TIMEOUTS.revertRebootMs);
    expect(h.of('boot.decision', timeoutAt)[0]).toMatchObject({ slot: 'A', mode: 'powercycle' });
    expect(h.ctx.version).toBe('v1');
    expect(h.of('etcd.start')).toHaveLength(2);
  });

  it('F§2: boot timeout after an upgrade (etcd never healthy on the new version) reverts via tag 6', () => {
    const h = new NodeHarness({ role: 'controlplane', etcdHealthy: (v) => v === 'v1' });
    h.bootToReady();
    h.upgrade();
    const timeoutAt = FLIP_AT + MS.kernel + TALOS_TIMEOUTS.bootTimeoutMs;
    h.runUntil(timeoutAt + 60_000);
    expect(h.of('boot.failed')).toEqual([
      { type: 'boot.failed', stage: 'timeout', version: 'v2', reverted: true, t: timeoutAt },
    ]);
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.ready).toBe(true);
    expect(h.ctx.disk.bootloader).toEqual({ default: 'A', fallback: 'B' });
  });
});

describe('node: reboots after failures (F§2, issue 6 item 9)', () => {
  it('F§2: a failed boot with tag 6 reverts, waits 10 s and reboots through firmware (not kexec)', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'init', remaining: 1 } });
    h.upgrade({ rebootMode: 'kexec' });
    h.runUntil(UPGRADED_READY_AT + 60_000);
    const failedAt = UPGRADED_RUNNING_AT;
    // The new image failed its boot sequence (stage init): a failed boot, not a failed upgrade sequence.
    expect(h.states(failedAt)).toEqual(['bootFailed', 'rebooting', 'firmware', 'kernel', 'init', 'running']);
    expect(h.stateAt('firmware', failedAt)).toBe(failedAt + TALOS_TIMEOUTS.revertRebootMs);
    expect(h.of('boot.decision', failedAt)).toEqual([
      {
        type: 'boot.decision',
        slot: 'A',
        reason: 'default entry',
        mode: 'powercycle',
        t: failedAt + TALOS_TIMEOUTS.revertRebootMs + MS.firmware,
      },
    ]);
    expect(h.ctx.version).toBe('v1');
  });

  it('F§2: a kernel panic reboots at once (CONFIG_PANIC_TIMEOUT=-1), through firmware', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'kernel', remaining: 1 } });
    h.upgrade();
    h.runUntil(UPGRADED_READY_AT + 60_000);
    const panicAt = FLIP_AT + MS.kernel;
    expect(h.stateAt('panicked', FLIP_AT)).toBe(panicAt);
    expect(h.stateAt('firmware', FLIP_AT)).toBe(panicAt);
    expect(h.ctx.version).toBe('v2');
  });

  it("F§2 'hang': never reaches init; no reboot, however long, until the machine is power cycled", () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'hang', remaining: 1 } });
    h.upgrade();
    const hangAt = FLIP_AT + MS.kernel;
    h.runUntil(hangAt + 24 * 3_600_000);
    expect(h.of('boot.failed')).toEqual([
      { type: 'boot.failed', stage: 'hang', version: 'v2', reverted: false, t: hangAt },
    ]);
    expect(h.states(FLIP_AT)).toEqual(['rebooting', 'kernel', 'hung']);
    expect(h.matches('hung')).toBe(true);
    // The boot timeout belongs to machined, which never started: tag 6 is still there.
    expect(h.ctx.disk.meta?.upgradeFallback).toBe('A');
    const t0 = h.scheduler.now;
    h.send({ type: 'POWER_LOSS' });
    h.send({ type: 'POWER_ON' });
    h.runUntil(t0 + 60_000);
    expect(h.ctx.version).toBe('v2');
    expect(h.ctx.ready).toBe(true);
  });

  it("F§2 'hang' under grub-tentative: the power cycle reaches GRUB with the flag set and boots the fallback", () => {
    const h = new NodeHarness({ bootloader: 'grub-tentative' });
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'hang', remaining: null } });
    h.upgrade({ rebootMode: 'powercycle' });
    h.runUntil(FLIP_AT + 3_600_000);
    expect(h.matches('hung')).toBe(true);
    const t0 = h.scheduler.now;
    h.send({ type: 'POWER_LOSS' });
    h.send({ type: 'POWER_ON' });
    h.runUntil(t0 + 60_000);
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.ready).toBe(true);
  });

  it("F§2 'initramfs': the initramfs init fails, reboots through firmware after 10 s, with no revert", () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'initramfs', remaining: null } });
    h.upgrade();
    const failAt = FLIP_AT + MS.kernel;
    const loopMs = TALOS_TIMEOUTS.initramfsRebootMs + MS.firmware + MS.kernel;
    h.runUntil(failAt + 10 * loopMs);
    const failures = h.of('boot.failed');
    expect(failures.map((e) => e.t)).toEqual(Array.from({ length: 11 }, (_, i) => failAt + i * loopMs));
    expect(failures.every((e) => e.stage === 'initramfs' && !e.reverted)).toBe(true);
    // No revert: tag 6 and the bootloader stay as the install left them, and the loop never reaches init.
    expect(h.ctx.disk.meta?.upgradeFallback).toBe('A');
    expect(h.ctx.disk.bootloader).toEqual({ default: 'B', fallback: 'A' });
    expect(h.states(FLIP_AT)).not.toContain('init');
    expect(h.of('boot.decision', FLIP_AT + 1).every((e) => e.mode === 'powercycle' && e.slot === 'B')).toBe(
      true,
    );
  });

  it('F§2: a failed upgrade sequence after tag 6 was written reverts, then reboots through firmware after 10 s', () => {
    // talos-1.13 installs (and writes tag 6) before cordon and drain; a rollback-worthy failure after that
    // point is the busy-mounts abort only on 1.7/1.8, so use a leave failure on a node whose tag 6 is
    // still set from an unproven upgrade instead: Ready never comes, then an upgrade fails its sequence.
    const h = new NodeHarness({ kubeReady: false });
    h.bootToReady = () => {
      h.send({ type: 'POWER_ON' });
      h.runUntil(READY_AT);
    };
    h.bootToReady();
    // Not Ready (no API server), but Running: the API answers.
    expect(h.ctx.ready).toBe(false);
    expect(h.matches('running')).toBe(true);
    h.upgrade({ version: 'v2' });
    h.runUntil(UPGRADED_RUNNING_AT + 60_000);
    // The new slot is unproven (no Ready): tag 6 still names A.
    expect(h.ctx.version).toBe('v2');
    expect(h.ctx.disk.meta?.upgradeFallback).toBe('A');
    h.send({ type: 'SET_BUSY_MOUNTS', busy: true });
    const t0 = h.scheduler.now;
    h.upgrade({ version: 'v3' });
    h.runUntil(t0 + 5 * 60_000);
    const failed = h.of('boot.failed', t0);
    expect(failed).toEqual([
      { type: 'boot.failed', stage: 'sequence', version: 'v2', reverted: true, t: t0 + MS.cordon + MS.drain },
    ]);
    expect(h.of('bootloader.flip', t0)[0]).toMatchObject({ default: 'A', fallback: 'B' });
    expect(h.of('boot.decision', t0)[0]).toMatchObject({ slot: 'A', mode: 'powercycle' });
    expect(h.ctx.version).toBe('v1');
  });
});

describe('node: Ready gates (F§2, issue 6 item 11)', () => {
  it('F§2: Running is not Ready: without a working API server the node never becomes Ready', () => {
    const h = new NodeHarness({ kubeReady: false });
    h.send({ type: 'POWER_ON' });
    h.runUntil(READY_AT + 3_600_000);
    expect(h.matches('running')).toBe(true);
    expect(h.of('kube.awaitNodeReady').map((e) => e.t)).toEqual([READY_AT]);
    expect(h.ctx.ready).toBe(false);
    expect(h.of('ready')).toEqual([]);
  });

  it('F§2: the new slot is proven (tag 6 deleted) only when the Kubernetes node is Ready', () => {
    const h = new NodeHarness({ kubeReady: false });
    h.send({ type: 'POWER_ON' });
    h.runUntil(READY_AT);
    h.send({ type: 'KUBE_NODE_READY' });
    h.runUntil(READY_AT);
    expect(h.ctx.ready).toBe(true);
    h.upgrade();
    h.runUntil(UPGRADED_READY_AT + 3_600_000);
    expect(h.ctx.version).toBe('v2');
    expect(h.ctx.disk.meta?.upgradeFallback).toBe('A');
    expect(h.ctx.ready).toBe(false);
    const t = h.scheduler.now;
    h.send({ type: 'KUBE_NODE_READY' });
    expect(h.ctx.disk.meta?.upgradeFallback).toBeNull();
    expect(h.of('ready', t)).toEqual([{ type: 'ready', version: 'v2', t }]);
  });

  it('F§2: until Ready a failure still reverts: a boot timeout on the next boot of the unproven slot goes back', () => {
    const h = new NodeHarness({ role: 'controlplane', kubeReady: false, etcdHealthy: (v) => v === 'v1' });
    h.send({ type: 'POWER_ON' });
    h.runUntil(READY_AT);
    h.send({ type: 'KUBE_NODE_READY' });
    h.upgrade({ force: true });
    h.runUntil(FLIP_AT + MS.kernel + TALOS_TIMEOUTS.bootTimeoutMs + 60_000);
    expect(h.of('boot.failed')).toMatchObject([{ stage: 'timeout', version: 'v2', reverted: true }]);
    expect(h.ctx.version).toBe('v1');
  });
});

describe('node: Rollback takes over a running upgrade (F§2, issue 6 item 11)', () => {
  /** Upgraded v1 -> v2 (proven), so v1 sits in the fallback slot A. */
  function upgraded(): NodeHarness {
    const h = new NodeHarness({ role: 'controlplane' });
    h.bootToReady();
    h.upgrade({ version: 'v2' });
    h.runUntil(UPGRADED_READY_AT);
    expect(h.ctx.version).toBe('v2');
    return h;
  }

  it('F§2: a Rollback during cordon/drain stops the upgrade and boots the previous version', () => {
    const h = upgraded();
    const t0 = h.scheduler.now;
    h.upgrade({ version: 'v3' });
    h.runUntil(t0 + MS.cordon + 1);
    expect(h.steps(t0)).toContain('drain');
    const id = h.rollback();
    expect(h.reply(id)).toMatchObject({ ok: true, detail: 'rolling back to slot A' });
    h.runUntil(t0 + 10 * 60_000);
    expect(h.steps(t0)).toContain('taken-over');
    expect(h.steps(t0)).not.toContain('install');
    expect(h.of('slot.write', t0)).toEqual([]);
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.disk.bootloader).toEqual({ default: 'A', fallback: 'B' });
  });

  it('F§2: a Rollback during pre-checks answers the pending upgrade request (refused) and takes over', () => {
    const h = upgraded();
    const t0 = h.scheduler.now;
    const up = h.upgrade({ version: 'v3' });
    expect(h.matches({ running: { activity: { upgrading: 'prechecks' } } } as never)).toBe(true);
    const id = h.rollback();
    expect(h.reply(up)).toMatchObject({ ok: false, detail: 'upgrade taken over by a rollback' });
    expect(h.reply(id)).toMatchObject({ ok: true });
    h.runUntil(t0 + 10 * 60_000);
    expect(h.ctx.version).toBe('v1');
  });

  it('F§2: a Rollback while the installer writes the fallback slot tears it; GRUB then falls back to the running one', () => {
    const h = upgraded();
    const t0 = h.scheduler.now;
    h.upgrade({ version: 'v3', force: true });
    h.runUntil(t0 + MS.cordon + MS.drain + 1);
    expect(h.ctx.writing).toBe('A');
    h.rollback();
    h.runUntil(t0 + 10 * 60_000);
    expect(h.of('slot.write', t0).map((e) => [e.slot, e.phase])).toEqual([
      ['A', 'start'],
      ['A', 'torn'],
    ]);
    expect(h.ctx.version).toBe('v2');
    expect(h.ctx.bootedSlot).toBe('B');
  });

  it('F§2: a Rollback is still refused with no previous slot, upgrade or not', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.upgrade({ version: 'v2' });
    const id = h.rollback();
    expect(h.reply(id)).toMatchObject({ ok: false });
    h.runUntil(UPGRADED_READY_AT);
    expect(h.ctx.version).toBe('v2');
  });
});

describe('node: sd-boot bootloader (F§2, issue 6 item 10)', () => {
  it('F§2 sd-boot: install removes the other UKI, copies the new one, LoaderEntryDefault := new, booted = fallback', () => {
    const h = new NodeHarness({ bootloader: 'sd-boot' });
    h.bootToReady();
    h.upgrade({ version: 'v2' });
    h.runUntil(UPGRADED_READY_AT);
    h.upgrade({ version: 'v3' });
    const t0 = h.scheduler.now;
    h.runUntil(t0 + 10 * 60_000);
    expect(h.of('slot.write', t0).map((e) => [e.slot, e.version, e.phase])).toEqual([
      ['A', 'v1', 'removed'],
      ['A', 'v3', 'start'],
      ['A', 'v3', 'done'],
    ]);
    expect(h.ctx.disk.boot).toEqual({
      A: { version: 'v3', intact: true },
      B: { version: 'v2', intact: true },
    });
    expect(h.ctx.disk.bootloader).toEqual({ default: 'A', fallback: 'B' });
    expect(h.ctx.version).toBe('v3');
  });

  it('F§2 sd-boot: a same-version install overwrites the booted UKI: no fallback, no tag 6', () => {
    const h = new NodeHarness({ bootloader: 'sd-boot' });
    h.bootToReady();
    h.upgrade({ version: 'v2' });
    h.runUntil(UPGRADED_READY_AT);
    const t0 = h.scheduler.now;
    h.upgrade({ version: 'v2' });
    h.runUntil(t0 + 10 * 60_000);
    expect(h.of('slot.write', t0).map((e) => [e.slot, e.version, e.phase])).toEqual([
      ['A', 'v1', 'removed'],
      ['B', 'v2', 'start'],
      ['B', 'v2', 'done'],
    ]);
    expect(h.ctx.disk.boot).toEqual({ A: null, B: { version: 'v2', intact: true } });
    expect(h.ctx.disk.bootloader).toEqual({ default: 'B', fallback: null });
    expect(h.of('meta', t0 + 1).map((e) => e.value)).toEqual([null]);
    expect(h.ctx.version).toBe('v2');
  });

  it('F§2 sd-boot: a power loss during a same-version install tears the only UKI: nothing boots', () => {
    const h = new NodeHarness({ bootloader: 'sd-boot' });
    h.bootToReady();
    const t0 = h.scheduler.now;
    h.upgrade({ version: 'v1' });
    h.runUntil(t0 + MS.cordon + MS.drain + 1);
    expect(h.ctx.writing).toBe('A');
    h.send({ type: 'POWER_LOSS' });
    h.send({ type: 'POWER_ON' });
    h.runUntil(t0 + 10 * 60_000);
    expect(h.matches('halted')).toBe(true);
    expect(h.ctx.disk.boot).toEqual({ A: { version: 'v1', intact: false }, B: null });
  });

  it('F§2 sd-boot: a failed boot with tag 6 sets LoaderEntryDefault to the other UKI (software revert)', () => {
    const h = new NodeHarness({ bootloader: 'sd-boot' });
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'init', remaining: null } });
    h.upgrade({ version: 'v2' });
    h.runUntil(UPGRADED_READY_AT + 10 * 60_000);
    expect(h.of('boot.failed')).toMatchObject([{ stage: 'init', version: 'v2', reverted: true }]);
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.disk.bootloader).toEqual({ default: 'A', fallback: 'B' });
  });

  it('F§2 sd-boot: no boot counting: a UKI that panics before init is booted again and again', () => {
    const h = new NodeHarness({ bootloader: 'sd-boot' });
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'kernel', remaining: null } });
    h.upgrade({ version: 'v2', rebootMode: 'powercycle' });
    h.runUntil(FLIP_AT + 10 * 60_000);
    const decisions = h.of('boot.decision', FLIP_AT);
    expect(decisions.length).toBeGreaterThan(50);
    expect(decisions.every((e) => e.slot === 'B')).toBe(true);
    expect(h.of('ready', FLIP_AT)).toEqual([]);
  });
});

describe('node: reboot modes (F§2)', () => {
  it('F§2 reboot modes: a kexec reboot skips the firmware and the bootloader', () => {
    const h = new NodeHarness();
    h.bootToReady();
    const id = h.reboot('kexec');
    expect(h.reply(id)).toMatchObject({ ok: true });
    h.runUntil(READY_AT + 60_000);
    expect(h.states(READY_AT)).toEqual(['rebooting', 'kernel', 'init', 'running']);
    expect(h.of('boot.decision', READY_AT)).toEqual([
      { type: 'boot.decision', slot: 'A', reason: 'kexec into default', mode: 'kexec', t: READY_AT },
    ]);
    expect(h.stateAt('running', READY_AT)).toBe(READY_AT + MS.kernel + MS.init);
  });

  it('F§2 reboot modes: a power-cycle reboot goes through firmware and the bootloader', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.reboot('powercycle');
    h.runUntil(READY_AT + 60_000);
    expect(h.states(READY_AT)).toEqual(['rebooting', 'firmware', 'kernel', 'init', 'running']);
    expect(h.of('boot.decision', READY_AT)[0]).toMatchObject({ slot: 'A', mode: 'powercycle' });
    expect(h.stateAt('running', READY_AT)).toBe(READY_AT + MS.firmware + MS.kernel + MS.init);
  });

  it('T#11909: an image that kexec can load boots after the upgrade but not after a power cycle', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'powercycle', remaining: null } });
    h.upgrade({ rebootMode: 'kexec' });
    h.runUntil(UPGRADED_READY_AT);
    expect(h.ctx.version).toBe('v2');
    h.reboot('powercycle');
    h.runUntil(UPGRADED_READY_AT + 60_000);
    const decision = h.of('boot.decision', UPGRADED_READY_AT)[0];
    expect(decision).toMatchObject({ slot: 'A', mode: 'powercycle' });
    expect(decision?.reason).toMatch(/GRUB fallback/);
    expect(h.ctx.version).toBe('v1');
  });
});

describe('node: power loss (F§1)', () => {
  it('F§1: a power loss while the installer writes the slot leaves it torn; the node boots the old version', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.upgrade();
    const writeStart = READY_AT + MS.cordon + MS.drain;
    h.at(writeStart + 3_000, { type: 'POWER_LOSS' });
    h.at(writeStart + 30_000, { type: 'POWER_ON' });
    h.runUntil(writeStart + 60_000);

    expect(h.of('slot.write').map((e) => [e.slot, e.phase])).toEqual([
      ['B', 'start'],
      ['B', 'torn'],
    ]);
    expect(h.ctx.disk.boot.B).toEqual({ version: 'v2', intact: false });
    expect(h.ctx.disk.boot.A).toEqual({ version: 'v1', intact: true });
    expect(h.ctx.disk.bootloader).toEqual({ default: 'A', fallback: null });
    expect(h.ctx.disk.meta?.upgradeFallback).toBeNull();
    expect(h.of('bootloader.flip')).toEqual([]);
    expect(h.of('boot.decision', writeStart)[0]).toMatchObject({ slot: 'A', mode: 'powercycle' });
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.ready).toBe(true);
    expect(h.ctx.upgrade).toBeNull();
  });

  it('F§1: a power loss outside the write tears nothing', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.upgrade();
    h.at(READY_AT + 1_000, { type: 'POWER_LOSS' }); // during cordon
    h.at(READY_AT + 2_000, { type: 'POWER_ON' });
    h.runUntil(READY_AT + 60_000);
    expect(h.of('slot.write')).toEqual([]);
    expect(h.ctx.disk.boot.B).toBeNull();
    expect(h.ctx.version).toBe('v1');
  });
});

describe('node: EPHEMERAL and etcd on upgrade (F§1, F§3)', () => {
  it('F§1/F§3 talos-1.7 without preserve: the control plane leaves etcd, empties its data dir, EPHEMERAL is wiped', () => {
    const h = new NodeHarness({ role: 'controlplane', profile: 'talos-1.7' });
    h.bootToReady();
    h.upgrade({ preserve: false });
    h.runUntil(FLIP_AT);
    // The pre-checks are told about preserve: <=1.7 without it also refuses a 1-member cluster (F§3).
    expect(h.of('precheck').map((e) => e.preserve)).toEqual([false]);
    const leave = h.indexOf((e) => e.type === 'etcd.leave');
    const stop = h.indexOf((e) => e.type === 'etcd.stop' && e.t >= READY_AT);
    const dataWiped = h.indexOf((e) => e.type === 'etcd.dataWiped');
    const wipe = h.indexOf((e) => e.type === 'disk.wipe');
    const flip = h.indexOf((e) => e.type === 'bootloader.flip');
    expect(leave).toBeGreaterThanOrEqual(0);
    expect(leave).toBeLessThan(stop);
    expect(stop).toBeLessThan(dataWiped);
    expect(dataWiped).toBeLessThan(wipe);
    expect(h.of('disk.wipe')).toEqual([{ type: 'disk.wipe', label: 'EPHEMERAL', t: FLIP_AT }]);
    expect(flip).toBeLessThan(wipe);
    expect(h.steps()).toEqual([
      'request',
      'prechecks',
      'accepted',
      'cordon',
      'drain',
      'leave-etcd',
      'stop-services',
      'install',
    ]);
    expect(h.ctx.disk.ephemeral).toEqual({ etcd: null, userData: false });
    h.runUntil(UPGRADED_READY_AT);
    expect(h.ctx.version).toBe('v2');
    expect(h.ctx.disk.ephemeral).toEqual({ etcd: null, userData: false });
  });

  it('F§1/F§3 talos-1.7 with preserve: no etcd leave, no wipe', () => {
    const h = new NodeHarness({ role: 'controlplane', profile: 'talos-1.7' });
    h.bootToReady();
    h.upgrade({ preserve: true });
    h.runUntil(UPGRADED_READY_AT);
    expect(h.ctx.version).toBe('v2');
    expect(h.of('etcd.leave')).toEqual([]);
    expect(h.of('etcd.dataWiped')).toEqual([]);
    expect(h.of('disk.wipe')).toEqual([]);
    expect(h.ctx.disk.ephemeral).toEqual({ etcd: { memberId: 'm1' }, userData: true });
  });

  it.each(['talos-1.8', 'talos-1.13'] as const)(
    'F§1/F§3 %s: never leaves etcd and never wipes on upgrade, even without preserve',
    (profile) => {
      const h = new NodeHarness({ role: 'controlplane', profile });
      h.bootToReady();
      h.upgrade({ preserve: false });
      h.runUntil(UPGRADED_READY_AT);
      expect(h.ctx.version).toBe('v2');
      expect(h.of('etcd.leave')).toEqual([]);
      expect(h.of('etcd.dataWiped')).toEqual([]);
      expect(h.of('disk.wipe')).toEqual([]);
      expect(h.ctx.disk.ephemeral).toEqual({ etcd: { memberId: 'm1' }, userData: true });
    },
  );

  it('F§1 talos-1.7 without preserve: a worker does not touch etcd but its EPHEMERAL is wiped (T#7889)', () => {
    const h = new NodeHarness({ role: 'worker', profile: 'talos-1.7', etcdMemberId: null });
    h.bootToReady();
    h.upgrade({ preserve: false });
    h.runUntil(UPGRADED_READY_AT);
    expect(h.of('etcd.leave')).toEqual([]);
    expect(h.of('disk.wipe').map((e) => e.label)).toEqual(['EPHEMERAL']);
    expect(h.ctx.disk.ephemeral.userData).toBe(false);
  });
});

describe('node: pre-checks and ordering (F§3)', () => {
  it('F§3: a pre-check refusal replies ok:false and writes nothing; the node stays Ready', () => {
    const h = new NodeHarness({
      role: 'controlplane',
      precheck: (n) =>
        n === 0 ? { ok: false, reason: 'cluster has exactly 2 members' } : { ok: true, reason: 'ok' },
    });
    h.bootToReady();
    const before = structuredClone(h.ctx.disk);
    const id = h.upgrade();
    h.runUntil(READY_AT + 60_000);
    expect(h.of('precheck')).toHaveLength(1);
    expect(h.reply(id)).toMatchObject({
      ok: false,
      detail: 'pre-check failed: cluster has exactly 2 members',
    });
    expect(h.steps()).toEqual(['request', 'prechecks', 'refused']);
    expect(h.of('slot.write')).toEqual([]);
    expect(h.of('bootloader.flip')).toEqual([]);
    expect(h.of('meta')).toEqual([]);
    expect(h.ctx.disk).toEqual(before);
    expect(h.ctx.upgrade).toBeNull();
    expect(h.ctx.ready).toBe(true);
    expect(h.ctx.cordoned).toBe(false);
    expect(h.matches({ running: { readiness: 'ready', activity: 'idle' } } as never)).toBe(true);

    // The node accepts a new request afterwards.
    const again = h.upgrade();
    h.runUntil(READY_AT + 60_000 + UPGRADED_READY_AT);
    expect(h.reply(again)).toMatchObject({ ok: true });
    expect(h.ctx.version).toBe('v2');
  });

  // BUG (models/node.ts, upgrading.prechecks, PRECHECK_RESULT refusal: `target: '#node.running.ready'`): a
  // refusal always lands in `running.ready`, whose entry deletes META tag 6 and emits 'ready'. A node that was
  // still Running-but-not-Ready (the new slot unproven) is thereby declared Ready early and its new slot is
  // proven without ever becoming Ready. F§2: "The new slot becomes good when the machine is Running and Ready
  // ... Until then a failure reverts." The refusal should return to the substate it came from.
  it('F§2/F§3: a refused upgrade on a not-yet-Ready node neither makes it Ready nor proves its new slot', () => {
    const h = new NodeHarness({
      role: 'controlplane',
      precheck: (n) =>
        n === 0 ? { ok: true, reason: 'ok' } : { ok: false, reason: 'a member is not started' },
    });
    h.bootToReady();
    h.upgrade({ version: 'v2' });
    // Running on v2, tag 6 still set, Ready due at UPGRADED_READY_AT: a second request arrives (and is refused).
    h.runUntil(UPGRADED_RUNNING_AT + 1_000);
    const id = h.upgrade({ version: 'v2' });
    h.runUntil(UPGRADED_RUNNING_AT + 1_000);
    expect(h.reply(id)).toMatchObject({ ok: false });
    expect(h.ctx.disk.meta?.upgradeFallback).toBe('A');
    expect(h.ctx.ready).toBe(false);
    h.runUntil(UPGRADED_READY_AT);
    expect(h.of('ready', FLIP_AT).map((e) => e.t)).toEqual([UPGRADED_READY_AT]);
  });

  it('F§3: pre-checks run only on control planes', () => {
    const h = new NodeHarness({ role: 'worker', precheck: () => ({ ok: false, reason: 'no' }) });
    h.bootToReady();
    h.upgrade();
    h.runUntil(UPGRADED_READY_AT);
    expect(h.of('precheck')).toEqual([]);
    expect(h.ctx.version).toBe('v2');
  });

  it('F§3: `force` skips the pre-checks', () => {
    const h = new NodeHarness({
      role: 'controlplane',
      precheck: () => ({ ok: false, reason: 'would refuse' }),
    });
    h.bootToReady();
    const id = h.upgrade({ force: true });
    h.runUntil(UPGRADED_READY_AT);
    expect(h.of('precheck')).toEqual([]);
    expect(h.reply(id)).toMatchObject({ ok: true });
    expect(h.ctx.version).toBe('v2');
  });

  it('F§3 talos-1.8: cordon and drain come before the install', () => {
    const h = new NodeHarness({ role: 'controlplane', profile: 'talos-1.8' });
    h.bootToReady();
    h.upgrade();
    h.runUntil(FLIP_AT);
    expect(h.steps()).toEqual([
      'request',
      'prechecks',
      'accepted',
      'cordon',
      'drain',
      'stop-services',
      'install',
    ]);
  });

  it('F§3 talos-1.13: no etcd pre-checks; installs on the live system before cordon and drain', () => {
    const h = new NodeHarness({
      role: 'controlplane',
      profile: 'talos-1.13',
      precheck: () => ({ ok: false, reason: 'x' }),
    });
    h.bootToReady();
    const id = h.upgrade();
    h.runUntil(UPGRADED_READY_AT);
    expect(h.of('precheck')).toEqual([]);
    expect(h.reply(id)).toMatchObject({ ok: true });
    expect(h.steps()).toEqual(['request', 'accepted', 'install', 'cordon', 'drain', 'stop-services']);
    const slotDone = h.indexOf((e) => e.type === 'slot.write' && e.phase === 'done');
    const cordon = h.indexOf((e) => e.type === 'upgrade.step' && e.step === 'cordon');
    expect(slotDone).toBeLessThan(cordon);
    expect(h.of('slot.write').map((e) => [e.phase, e.t])).toEqual([
      ['start', READY_AT],
      ['done', READY_AT + MS.install],
    ]);
    expect(h.ctx.version).toBe('v2');
  });
});

describe('node: one sequence per node (F§3)', () => {
  it('F§3: a second API_UPGRADE, an API_REBOOT or an API_ROLLBACK during an upgrade is refused', () => {
    const h = new NodeHarness();
    h.bootToReady();
    const first = h.upgrade({ version: 'v2' });
    h.runUntil(READY_AT + 2_000);
    const second = h.upgrade({ version: 'v3' });
    const reboot = h.reboot('powercycle');
    const rollback = h.rollback();
    expect(h.reply(first)).toMatchObject({ ok: true });
    expect(h.reply(second)).toMatchObject({ ok: false, detail: 'upgrade in progress' });
    expect(h.reply(reboot)).toMatchObject({ ok: false, detail: 'upgrade in progress' });
    expect(h.reply(rollback)?.ok).toBe(false);
    // The first upgrade carries on undisturbed.
    h.runUntil(UPGRADED_READY_AT);
    expect(h.ctx.version).toBe('v2');
    expect(h.of('slot.write').map((e) => e.version)).toEqual(['v2', 'v2']);
  });

  it('F§3: a request while pre-checks are pending is refused too', () => {
    const h = new NodeHarness({ role: 'controlplane' });
    h.bootToReady();
    // Hold the pre-check answer: send the second request in the same instant, before the answer is delivered.
    h.upgrade();
    const second = h.upgrade({ version: 'v3' });
    expect(h.reply(second)).toMatchObject({ ok: false, detail: 'upgrade in progress' });
  });

  it('F§3: requests to a node that is not running are refused', () => {
    const h = new NodeHarness();
    const id = h.upgrade();
    expect(h.reply(id)).toMatchObject({ ok: false, detail: 'node is not running' });
  });
});

describe('node: leaving etcd (F§3)', () => {
  const LEAVE_AT = READY_AT + MS.cordon + MS.drain;

  it('F§3: a leave failing with ErrStopped is retried every 10 s for 5 min, then the upgrade aborts and the node reboots on its version', () => {
    const h = new NodeHarness({
      role: 'controlplane',
      profile: 'talos-1.7',
      leave: () => ({ ok: false, reason: 'etcdserver: server stopped' }),
    });
    h.bootToReady();
    h.upgrade({ preserve: false });
    const abortAt = LEAVE_AT + TALOS_TIMEOUTS.etcdLeaveBudgetMs;
    h.runUntil(abortAt - 1);
    const leaves = h.of('etcd.leave').map((e) => e.t);
    expect(leaves[0]).toBe(LEAVE_AT);
    expect(leaves).toHaveLength(TALOS_TIMEOUTS.etcdLeaveBudgetMs / TALOS_TIMEOUTS.etcdLeaveRetryMs);
    leaves.forEach((t, i) => expect(t).toBe(LEAVE_AT + i * TALOS_TIMEOUTS.etcdLeaveRetryMs));
    expect(h.of('upgrade.step').filter((e) => e.step === 'leave-etcd-retry')[0]?.detail).toBe(
      'etcdserver: server stopped',
    );
    expect(h.ctx.upgrade).not.toBeNull();

    h.runUntil(abortAt + 60_000);
    expect(h.of('etcd.leave')).toHaveLength(leaves.length);
    expect(h.of('upgrade.step').find((e) => e.step === 'failed')).toMatchObject({
      detail: 'leaving etcd failed for 5 min',
      t: abortAt,
    });
    // A failed sequence is a failed boot: no tag 6 to revert, 10 s, then through firmware (F§2).
    expect(h.of('boot.failed')).toEqual([
      { type: 'boot.failed', stage: 'sequence', version: 'v1', reverted: false, t: abortAt },
    ]);
    expect(h.stateAt('rebooting', READY_AT)).toBe(abortAt + TALOS_TIMEOUTS.revertRebootMs);
    expect(h.of('boot.decision', abortAt)[0]).toMatchObject({ slot: 'A', mode: 'powercycle' });
    expect(h.of('slot.write')).toEqual([]);
    expect(h.of('etcd.dataWiped')).toEqual([]);
    expect(h.ctx.disk.ephemeral).toEqual({ etcd: { memberId: 'm1' }, userData: true });
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.ready).toBe(true);
  });

  it('F§3: a leave that succeeds on a retry continues the upgrade', () => {
    const h = new NodeHarness({
      role: 'controlplane',
      profile: 'talos-1.7',
      leave: (n) =>
        n < 2 ? { ok: false, reason: 'etcdserver: server stopped' } : { ok: true, reason: 'left' },
    });
    h.bootToReady();
    h.upgrade({ preserve: false });
    h.runUntil(FLIP_AT + 60_000);
    expect(h.of('etcd.leave').map((e) => e.t)).toEqual([LEAVE_AT, LEAVE_AT + 10_000, LEAVE_AT + 20_000]);
    expect(h.of('slot.write').map((e) => [e.phase, e.t])).toEqual([
      ['start', LEAVE_AT + 20_000],
      ['done', LEAVE_AT + 20_000 + MS.install],
    ]);
    expect(h.ctx.version).toBe('v2');
  });

  it('F§3: ErrUnhealthy is retried like ErrStopped', () => {
    const h = new NodeHarness({
      role: 'controlplane',
      profile: 'talos-1.7',
      leave: (n) =>
        n < 1 ? { ok: false, reason: 'etcdserver: unhealthy cluster' } : { ok: true, reason: 'left' },
    });
    h.bootToReady();
    h.upgrade({ preserve: false });
    h.runUntil(FLIP_AT + 60_000);
    expect(h.of('etcd.leave').map((e) => e.t)).toEqual([LEAVE_AT, LEAVE_AT + 10_000]);
    expect(h.ctx.version).toBe('v2');
  });

  it.each([
    [
      'not enough started members (T#1768)',
      'etcdserver: re-configuration failed due to not enough started members',
    ],
    ['no leader', 'etcdserver: no leader'],
    ['a timeout', 'etcdserver: request timed out'],
  ])(
    'F§3: a leave failing with %s fails the sequence at once: no retry, no install, reboot on the old version',
    (_, reason) => {
      const h = new NodeHarness({
        role: 'controlplane',
        profile: 'talos-1.7',
        leave: () => ({ ok: false, reason }),
      });
      h.bootToReady();
      h.upgrade({ preserve: false });
      h.runUntil(LEAVE_AT + 10 * 60_000);
      expect(h.of('etcd.leave').map((e) => e.t)).toEqual([LEAVE_AT]);
      expect(h.of('upgrade.step').find((e) => e.step === 'failed')).toMatchObject({
        detail: `leaving etcd: ${reason}`,
      });
      // A fatal error of the sequence: machined waits 10 s and reboots through firmware (F§2).
      expect(h.stateAt('rebooting', READY_AT)).toBe(LEAVE_AT + TALOS_TIMEOUTS.revertRebootMs);
      expect(h.of('slot.write')).toEqual([]);
      expect(h.ctx.disk.ephemeral.etcd).toEqual({ memberId: 'm1' });
      expect(h.ctx.version).toBe('v1');
    },
  );

  it('F§3: a successful leave stops etcd and removes the data dir before anything is installed', () => {
    const h = new NodeHarness({ role: 'controlplane', profile: 'talos-1.7' });
    h.bootToReady();
    h.upgrade({ preserve: false });
    h.runUntil(FLIP_AT + 60_000);
    const wiped = h.indexOf((e) => e.type === 'etcd.dataWiped');
    const stopped = h.indexOf((e) => e.type === 'etcd.stop' && e.t >= LEAVE_AT);
    const write = h.indexOf((e) => e.type === 'slot.write');
    expect(stopped).toBeGreaterThan(-1);
    expect(stopped).toBeLessThan(wiped);
    expect(wiped).toBeLessThan(write);
  });
});

describe('node: staged upgrades (F§3 --stage)', () => {
  it('F§3 --stage: writes META staged, reboots; the next boot installs and reboots again onto the new version', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.upgrade({ stage: true });
    // A staged upgrade has no cordon and no drain (F§3): it reboots right after writing META.
    const firstReboot = READY_AT;
    h.runUntil(firstReboot);
    expect(h.of('upgrade.step').map((e) => e.step)).not.toContain('cordon');
    expect(h.of('upgrade.step').map((e) => e.step)).not.toContain('drain');
    expect(h.ctx.cordoned).toBe(false);
    expect(h.ctx.disk.meta?.staged).toEqual({ version: 'v2', preserve: false });
    expect(h.of('slot.write')).toEqual([]);
    expect(h.stateAt('rebooting', READY_AT)).toBe(firstReboot);

    h.runUntil(firstReboot + 120_000);
    const stagedInstallAt = firstReboot + MS.kernel + MS.init;
    expect(h.of('meta').map((e) => [e.key, e.value, e.t])).toEqual([
      ['staged', 'v2', READY_AT],
      ['staged', null, stagedInstallAt],
      ['upgradeFallback', 'A', stagedInstallAt + MS.install],
      ['upgradeFallback', null, stagedInstallAt + MS.install + MS.kernel + MS.init + MS.ready],
    ]);
    // The staged tag is cleared before the attempt, so it is made once.
    const cleared = h.indexOf((e) => e.type === 'meta' && e.key === 'staged' && e.value === null);
    const writeStart = h.indexOf((e) => e.type === 'slot.write' && e.phase === 'start');
    expect(cleared).toBeLessThan(writeStart);
    expect(h.of('slot.write').map((e) => [e.slot, e.version, e.phase])).toEqual([
      ['B', 'v2', 'start'],
      ['B', 'v2', 'done'],
    ]);
    expect(h.of('state', READY_AT).filter((e) => e.state === 'rebooting')).toHaveLength(2);
    expect(h.ctx.version).toBe('v2');
    expect(h.ctx.ready).toBe(true);
    expect(h.ctx.disk.meta?.staged).toBeNull();
  });

  it('F§3 --stage: one attempt only: a failing staged install is not retried and the node stays on the old version', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.send({ type: 'SET_BOOT_FULL', full: true });
    h.upgrade({ stage: true });
    h.runUntil(READY_AT + 10 * 60_000);
    expect(h.of('slot.write').map((e) => e.phase)).toEqual(['start', 'failed']);
    expect(h.ctx.disk.meta?.staged).toBeNull();
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.ready).toBe(true);
  });
  // BUG (models/node.ts, init.stagedInstall, the `bootFull` transition): a failed staged
  // install targets '#node.firmware' while assigning bootMode 'kexec'. The trace then shows a 'firmware' state
  // (and spends the firmware delay) followed by a boot.decision with mode 'kexec', and never a 'rebooting'
  // state or an upgrade.step 'failed'. The non-staged install failure (install.after, bootFull) instead goes
  // to '#node.rebooting' with a kexec reboot. F§2 reboot modes: kexec skips the firmware.
  it('F§3 --stage / F§2 failed boot: a failed staged install fails the boot: 10 s, then through firmware', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.send({ type: 'SET_BOOT_FULL', full: true });
    h.upgrade({ stage: true, rebootMode: 'kexec' });
    h.runUntil(READY_AT + 10 * 60_000);
    const failedAt = h.of('slot.write').find((e) => e.phase === 'failed')!.t;
    expect(h.of('boot.decision', failedAt)[0]?.mode).toBe('powercycle');
    expect(h.states(failedAt)).toEqual([
      'sequenceFailed',
      'rebooting',
      'firmware',
      'kernel',
      'init',
      'running',
    ]);
    expect(h.stateAt('rebooting', failedAt)).toBe(failedAt + TALOS_TIMEOUTS.revertRebootMs);
  });

  // BUG (models/node.ts, the flipToNewSlot action): on talos-1.7 without preserve a *staged* upgrade
  // empties the etcd data dir (the installer's EPHEMERAL wipe at the next boot) without emitting
  // 'etcd.dataWiped', whose contract (NodeEmitted) is "the etcd data dir is empty now (wiped by an
  // upgrade or a fault)". The non-staged path emits it from stopServices, and WIPE emits it; the staged path
  // skips stopServices' wipe (`if (context.upgrade!.stage) return`) and flipToNewSlot never emits it. The
  // engine (sim/cluster/world.ts, case 'etcd.dataWiped') is therefore never told that the data is gone.
  it('F§1/F§3 talos-1.7 --stage without preserve: emptying the etcd data dir emits etcd.dataWiped', () => {
    const h = new NodeHarness({ role: 'controlplane', profile: 'talos-1.7' });
    h.bootToReady();
    h.upgrade({ stage: true, preserve: false });
    h.runUntil(READY_AT + 10 * 60_000);
    expect(h.ctx.version).toBe('v2');
    expect(h.ctx.disk.ephemeral.etcd).toBeNull();
    expect(h.of('disk.wipe').map((e) => e.label)).toEqual(['EPHEMERAL']);
    expect(h.of('etcd.dataWiped')).toHaveLength(1);
  });
});

describe('node: BOOT partition full (T#12551)', () => {
  it('T#12551: SET_BOOT_FULL => the install fails, no flip, the node reboots on the old version', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.send({ type: 'SET_BOOT_FULL', full: true });
    const id = h.upgrade();
    h.runUntil(UPGRADED_READY_AT + 60_000);
    expect(h.reply(id)).toMatchObject({ ok: true }); // accepted; the failure is reported by the sequence
    expect(h.of('slot.write').map((e) => [e.slot, e.phase, e.t])).toEqual([
      ['B', 'start', FLIP_AT - MS.install],
      ['B', 'failed', FLIP_AT],
    ]);
    expect(h.of('upgrade.step').at(-1)).toMatchObject({
      step: 'failed',
      detail: expect.stringMatching(/BOOT partition full/),
    });
    expect(h.of('bootloader.flip')).toEqual([]);
    expect(h.of('meta')).toEqual([]);
    expect(h.ctx.disk.bootloader).toEqual({ default: 'A', fallback: null });
    expect(h.ctx.disk.boot.B).toBeNull();
    // A fatal error of the upgrade sequence is handled like a failed boot: 10 s, then firmware (F§2).
    expect(h.of('boot.failed')).toEqual([
      { type: 'boot.failed', stage: 'sequence', version: 'v1', reverted: false, t: FLIP_AT },
    ]);
    expect(h.stateAt('rebooting', READY_AT)).toBe(FLIP_AT + TALOS_TIMEOUTS.revertRebootMs);
    expect(h.of('boot.decision', FLIP_AT)[0]).toMatchObject({ slot: 'A', mode: 'powercycle' });
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.ready).toBe(true);
  });
});

describe('node: rollback API (F§2)', () => {
  it('F§2 rollback API: flips back to the previous slot and reboots into the previous version', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.upgrade();
    h.runUntil(UPGRADED_READY_AT);
    const t0 = UPGRADED_READY_AT;
    const id = h.rollback();
    expect(h.reply(id)).toMatchObject({ ok: true, detail: 'rolling back to slot A' });
    h.runUntil(t0 + 60_000);
    expect(h.of('bootloader.flip', t0)).toEqual([
      { type: 'bootloader.flip', default: 'A', fallback: 'B', t: t0 },
    ]);
    expect(h.states(t0)).toEqual(['rebooting', 'firmware', 'kernel', 'init', 'running']);
    expect(h.ctx.version).toBe('v1');
    expect(h.ctx.bootedSlot).toBe('A');
    expect(h.ctx.ready).toBe(true);
    expect(h.ctx.disk.bootloader).toEqual({ default: 'A', fallback: 'B' });
    // The slot written by the upgrade is kept: only one previous version exists.
    expect(h.ctx.disk.boot.B).toEqual({ version: 'v2', intact: true });
  });

  it('F§2 rollback API: refused when there is no previous slot', () => {
    const h = new NodeHarness();
    h.bootToReady();
    const id = h.rollback();
    expect(h.reply(id)).toMatchObject({ ok: false });
    h.runUntil(READY_AT + 60_000);
    expect(h.states(READY_AT + 1)).toEqual([]);
  });

  // BUG (models/node.ts, the API_ROLLBACK guard in `running`): the guard checks only `fallback !== null`; the
  // `canRollback` guard in setup() (fallback slot loadable) is never used. A rollback to a torn
  // fallback slot is acknowledged ok:true, the power cycle cannot load it, GRUB falls back to the current slot
  // and the node comes back on the same version: the API claimed a rollback that did not happen.
  it('F§2 rollback API: refused when the previous slot cannot be loaded (torn by a power loss)', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.upgrade({ version: 'v2' });
    h.runUntil(UPGRADED_READY_AT);
    // A second upgrade writes slot A (v3) and loses power mid-write: A is torn, the bootloader still says B/A.
    const t0 = UPGRADED_READY_AT;
    h.upgrade({ version: 'v3' });
    const writeStart = t0 + MS.cordon + MS.drain;
    h.at(writeStart + 1_000, { type: 'POWER_LOSS' });
    h.at(writeStart + 2_000, { type: 'POWER_ON' });
    h.runUntil(writeStart + 60_000);
    expect(h.ctx.disk.boot.A).toEqual({ version: 'v3', intact: false });
    expect(h.ctx.disk.bootloader).toEqual({ default: 'B', fallback: 'A' });
    expect(h.ctx.version).toBe('v2');

    const id = h.rollback();
    h.runUntil(writeStart + 120_000);
    expect(h.ctx.version).toBe('v2');
    expect(h.reply(id)?.ok).toBe(false);
  });
});

describe('node: faults and wipes', () => {
  it('INJECT_BOOT_FAULT with remaining 0 clears that fault: a boot-looping node comes up (liveness phase)', () => {
    const h = new NodeHarness();
    h.bootToReady();
    h.send({ type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'kernel', remaining: null } });
    h.upgrade();
    const healAt = FLIP_AT + 5 * 60_000;
    h.at(healAt, { type: 'INJECT_BOOT_FAULT', fault: { version: 'v2', stage: 'kernel', remaining: 0 } });
    h.runUntil(healAt + 5 * 60_000);
    expect(h.ctx.bootFaults).toEqual([]);
    expect(h.of('boot.failed', healAt + 60_000)).toEqual([]);
    expect(h.ctx.version).toBe('v2');
    expect(h.ctx.ready).toBe(true);
  });

  it('WIPE EPHEMERAL on a control plane empties the etcd data dir and says so (etcd.dataWiped)', () => {
    const h = new NodeHarness({ role: 'controlplane' });
    h.bootToReady();
    h.send({ type: 'WIPE', label: 'EPHEMERAL' });
    expect(h.ctx.disk.ephemeral).toEqual({ etcd: null, userData: false });
    expect(h.of('disk.wipe').map((e) => e.label)).toEqual(['EPHEMERAL']);
    expect(h.of('etcd.dataWiped')).toHaveLength(1);
    // Nothing left to lose: a second wipe does not report the data dir again.
    h.send({ type: 'WIPE', label: 'all' });
    expect(h.of('etcd.dataWiped')).toHaveLength(1);
  });

  it('F§1 a wiped STATE boots into maintenance; a wiped BOOT halts in firmware', () => {
    const state = new NodeHarness();
    state.bootToReady();
    state.send({ type: 'WIPE', label: 'STATE' });
    state.reboot('powercycle');
    state.runUntil(READY_AT + 60_000);
    expect(state.matches('maintenance')).toBe(true);

    const boot = new NodeHarness();
    boot.bootToReady();
    boot.send({ type: 'WIPE', label: 'BOOT' });
    boot.reboot('kexec'); // kexec cannot load a missing image: Talos falls back to a full reboot
    boot.runUntil(READY_AT + 60_000);
    expect(boot.states(READY_AT)).toEqual(['rebooting', 'firmware', 'halted']);
    expect(boot.of('boot.decision', READY_AT)[0]).toMatchObject({ slot: null, mode: 'powercycle' });
  });
});

describe('node: Talos timeouts', () => {
  it('F§2/F§3: the fixed delays match Talos', () => {
    expect(TALOS_TIMEOUTS).toEqual({
      bootTimeoutMs: 70 * 60_000,
      revertRebootMs: 10_000,
      // CONFIG_PANIC_TIMEOUT=-1, no panic= argument: a panic reboots at once (F§2).
      panicRebootMs: 0,
      initramfsRebootMs: 10_000,
      etcdLeaveBudgetMs: 5 * 60_000,
      etcdLeaveRetryMs: 10_000,
    });
  });
});

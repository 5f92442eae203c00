// What each fault kind does to the world when injected (sim/faults/<kind>.ts), on a recording world
// (test/helpers/fault-world.ts): which world verbs it calls at its start and at its end, the trace lines it
// writes, and which nodes it takes out (the quorum excuse, issue 6 item 6). Found missing by mutation
// testing (issue 7): these were reached only through whole simulations that did not pin them.
import { describe, expect, it } from 'vitest';
import { Stream } from '../../../sim/engine/rng.js';
import { bootPartitionFullKind } from '../../../sim/faults/boot-partition-full.js';
import { busyMountsKind } from '../../../sim/faults/busy-mounts.js';
import { diskWipe, diskWipeKind } from '../../../sim/faults/disk-wipe.js';
import { etcdLeaveFailsKind } from '../../../sim/faults/etcd-leave-fails.js';
import { etcdRemoveMemberKind } from '../../../sim/faults/etcd-remove-member.js';
import { failedBoot, failedBootKind } from '../../../sim/faults/failed-boot.js';
import { IMAGE_PULL_TIMEOUT, imagePullFailsKind } from '../../../sim/faults/image-pull-fails.js';
import { installFailsKind } from '../../../sim/faults/install-fails.js';
import { partition, partitionKind } from '../../../sim/faults/partition.js';
import { powerLoss, powerLossKind } from '../../../sim/faults/power-loss.js';
import { faultWorld } from '../../helpers/fault-world.js';

const NODES = ['cp1', 'cp2', 'cp3', 'w1', 'w2'];

describe('node-condition kinds: on at the start, off at the end, nothing taken out', () => {
  it('bootPartitionFull and busyMounts switch their condition for the duration', () => {
    const w = faultWorld(NODES);
    bootPartitionFullKind.inject(w.ctx, {
      type: 'bootPartitionFull',
      atMs: 0,
      node: 'cp2',
      durationMs: 1_000,
    });
    busyMountsKind.inject(w.ctx, { type: 'busyMounts', atMs: 0, node: 'w1', durationMs: null });
    expect(w.registry.nodesTakenOut()).toEqual(new Set());
    w.run(5_000);
    expect(w.calls).toEqual([
      '0 setBootFull "cp2" true',
      '0 setBusyMounts "w1" true',
      '1000 setBootFull "cp2" false',
    ]);
    expect(w.lines.map((l) => [l.t, l.type, l.fault, l.node, l.detail])).toEqual([
      [0, 'fault.start', 'bootPartitionFull', 'cp2', 'for 1000 ms'],
      [0, 'fault.start', 'busyMounts', 'w1', 'until liveness'],
      [1_000, 'fault.end', 'bootPartitionFull', 'cp2', 'duration elapsed'],
    ]);
    w.registry.stopAll(w.scheduler);
    expect(w.calls.at(-1)).toBe('1000 setBusyMounts "w1" false');
  });

  it('installFails and imagePullFails hand their reason to the node while they hold, null after', () => {
    const w = faultWorld(NODES);
    installFailsKind.inject(w.ctx, {
      type: 'installFails',
      atMs: 0,
      node: 'cp1',
      reason: 'disk full',
      durationMs: 10,
    });
    imagePullFailsKind.inject(w.ctx, {
      type: 'imagePullFails',
      atMs: 0,
      node: 'cp3',
      reason: IMAGE_PULL_TIMEOUT,
      durationMs: 20,
    });
    w.run(100);
    expect(w.calls).toEqual([
      '0 setInstallFailure "cp1" "disk full"',
      '0 setImagePullFailure "cp3" "context deadline exceeded"',
      '10 setInstallFailure "cp1" null',
      '20 setImagePullFailure "cp3" null',
    ]);
    expect(w.lines[0]).toMatchObject({ fault: 'installFails', node: 'cp1', detail: 'disk full, for 10 ms' });
  });
});

describe('diskWipe (F§1 labels)', () => {
  it('wipes the label at once, traces start and end together, and takes the node out until it is Ready again', () => {
    const w = faultWorld(NODES);
    diskWipeKind.inject(w.ctx, { type: 'diskWipe', atMs: 0, node: 'cp1', label: 'EPHEMERAL' });
    expect(w.calls).toEqual(['0 wipe "cp1" "EPHEMERAL"']);
    expect(w.lines.map((l) => [l.type, l.node, l.detail])).toEqual([
      ['fault.start', 'cp1', 'wipe EPHEMERAL'],
      ['fault.end', 'cp1', 'instantaneous'],
    ]);
    expect(w.registry.nodesTakenOut()).toEqual(new Set(['cp1']));
    w.registry.noteReady('cp1');
    expect(w.registry.nodesTakenOut()).toEqual(new Set());
  });

  it('a wipe with its own detail (a lab verb) keeps that detail', () => {
    const w = faultWorld(NODES);
    diskWipe(w.ctx, 'w2', 'all', 'operator reset');
    expect(w.lines[0]).toMatchObject({ detail: 'operator reset' });
    expect(w.calls).toEqual(['0 wipe "w2" "all"']);
  });
});

describe('etcdLeaveFails (F§3: the leave of a <=1.7 upgrade)', () => {
  it('arms the failures with times and applied, takes nothing out, and disarms at the liveness phase', () => {
    const w = faultWorld(NODES);
    etcdLeaveFailsKind.inject(w.ctx, {
      type: 'etcdLeaveFails',
      atMs: 0,
      node: 'cp1',
      times: 2,
      applied: false,
    });
    etcdLeaveFailsKind.inject(w.ctx, {
      type: 'etcdLeaveFails',
      atMs: 0,
      node: 'cp2',
      times: null,
      applied: true,
    });
    expect(w.calls).toEqual(['0 setLeaveFailures "cp1" 2 false', '0 setLeaveFailures "cp2" null true']);
    expect(w.lines.map((l) => l.detail)).toEqual(['2 time(s)', 'always, the removal still takes effect']);
    expect(w.registry.nodesTakenOut()).toEqual(new Set());
    w.run(10 * 60_000);
    // No duration: they hold until the liveness phase.
    expect(w.calls.length).toBe(2);
    w.registry.stopAll(w.scheduler);
    expect(w.calls.slice(2)).toEqual(['0 setLeaveFailures "cp1" 0 null', '0 setLeaveFailures "cp2" 0 null']);
    etcdLeaveFailsKind.inject(w.ctx, {
      type: 'etcdLeaveFails',
      atMs: 0,
      node: 'cp3',
      times: 1,
      applied: false,
    });
    expect(w.calls.length).toBe(4);
  });
});

describe('etcdRemoveMember (F§4: an operator removes a member)', () => {
  it('a removal that takes effect takes the node out and traces the member change', () => {
    const w = faultWorld(NODES);
    etcdRemoveMemberKind.inject(w.ctx, { type: 'etcdRemoveMember', atMs: 0, node: 'cp2', via: 'cp1' });
    expect(w.calls).toEqual(['0 removeMemberOf "cp2" "cp1"']);
    expect(w.lines.map((l) => l.type)).toEqual(['fault.start', 'fault.end', 'etcd.member']);
    expect(w.lines[0]).toMatchObject({ node: 'cp2', detail: "remove cp2's member via cp1" });
    // The member is gone, so the trace line names no member id.
    expect(w.lines[2]).toEqual({
      t: 0,
      type: 'etcd.member',
      node: 'cp2',
      member: '-',
      change: 'operator-remove',
      detail: 'removed m2 (cp2) via cp1',
    });
    expect(w.registry.nodesTakenOut()).toEqual(new Set(['cp2']));
  });

  it('a refused removal takes nothing out; the member line names the member still there', () => {
    const w = faultWorld(NODES);
    w.refuseRemove = true;
    etcdRemoveMemberKind.inject(w.ctx, { type: 'etcdRemoveMember', atMs: 0, node: 'cp3', via: 'cp1' });
    expect(w.registry.nodesTakenOut()).toEqual(new Set());
    expect(w.lines[2]).toMatchObject({ member: 'm3', detail: 'remove m3 via cp1 failed: unhealthy' });
  });

  it('a node with no member: nothing taken out; after the liveness phase nothing happens at all', () => {
    const w = faultWorld(NODES);
    etcdRemoveMemberKind.inject(w.ctx, { type: 'etcdRemoveMember', atMs: 0, node: 'w1', via: 'cp1' });
    expect(w.registry.nodesTakenOut()).toEqual(new Set());
    expect(w.lines[2]).toMatchObject({ member: '-', detail: 'w1 has no etcd member' });
    w.registry.stopAll(w.scheduler);
    const before = [w.calls.length, w.lines.length];
    etcdRemoveMemberKind.inject(w.ctx, { type: 'etcdRemoveMember', atMs: 0, node: 'cp1', via: 'cp2' });
    expect([w.calls.length, w.lines.length]).toEqual(before);
  });
});

describe('failedBoot (F§2)', () => {
  it('arms the bad image on the node, takes nothing out, and disarms it (remaining 0) when it ends', () => {
    const w = faultWorld(NODES);
    failedBootKind.inject(w.ctx, {
      type: 'failedBoot',
      atMs: 0,
      node: 'cp1',
      version: 'v1.8.0',
      stage: 'init',
      times: 2,
    });
    expect(w.calls).toEqual(['0 injectBootFault "cp1" {"version":"v1.8.0","stage":"init","remaining":2}']);
    expect(w.lines[0]).toMatchObject({
      fault: 'failedBoot',
      node: 'cp1',
      detail: 'v1.8.0 fails at init 2 time(s)',
    });
    expect(w.registry.nodesTakenOut()).toEqual(new Set());
    expect(w.registry.countRandom()).toBe(0);
    w.registry.stopAll(w.scheduler);
    expect(w.calls.slice(1)).toEqual([
      '0 injectBootFault "cp1" {"version":"v1.8.0","stage":"init","remaining":0}',
    ]);
  });

  it('a hang that left the node hung is power cycled when the fault ends; a node not hung is left alone', () => {
    const w = faultWorld(NODES);
    failedBoot(w.ctx, 'cp1', 'v1.8.0', 'hang', null);
    failedBoot(w.ctx, 'cp2', 'v1.8.0', 'hang', null);
    failedBoot(w.ctx, 'cp3', 'v1.8.0', 'kernel', null);
    expect(w.lines.map((l) => l.detail)).toEqual([
      'v1.8.0 fails at hang always',
      'v1.8.0 fails at hang always',
      'v1.8.0 fails at kernel always',
    ]);
    w.states.set('cp1', 'hung');
    w.states.set('cp3', 'hung');
    w.registry.stopAll(w.scheduler);
    expect(w.calls.slice(3)).toEqual([
      '0 injectBootFault "cp1" {"version":"v1.8.0","stage":"hang","remaining":0}',
      '0 powerLoss "cp1"',
      '0 powerOn "cp1"',
      '0 injectBootFault "cp2" {"version":"v1.8.0","stage":"hang","remaining":0}',
      '0 injectBootFault "cp3" {"version":"v1.8.0","stage":"kernel","remaining":0}',
    ]);
  });

  it('after the liveness phase a failedBoot arms nothing', () => {
    const w = faultWorld(NODES);
    w.registry.stopAll(w.scheduler);
    failedBoot(w.ctx, 'cp1', 'v1.8.0', 'init', 1);
    expect(w.calls).toEqual([]);
  });

  it("a random arrival fails the upgrade's target once, counted as random; without a target it does nothing", () => {
    const w = faultWorld(NODES);
    const stream = new Stream('faults', 1);
    failedBootKind.random!.fire(w.ctx, 'cp2', { stage: 'kernel' }, stream, null);
    expect(w.calls).toEqual([]);
    failedBootKind.random!.fire(w.ctx, 'cp2', { stage: 'kernel' }, stream, 'v1.9.0');
    expect(w.calls).toEqual(['0 injectBootFault "cp2" {"version":"v1.9.0","stage":"kernel","remaining":1}']);
    expect([...w.registry.active.values()][0]).toMatchObject({ random: true, takesOut: [] });
    expect(stream.draws).toBe(0);
  });
});

describe('partition (F§4: the minority side has no leader)', () => {
  it('isolating one node: an isolate fault on that node, which alone is taken out; healed after its duration', () => {
    const w = faultWorld(NODES);
    partitionKind.inject(w.ctx, {
      type: 'partition',
      atMs: 0,
      durationMs: 1_000,
      groups: [['cp2']],
      oneWay: false,
      ports: 'all',
    });
    const net = w.ctx.world.network;
    expect(net.canSend('cp2', 'cp1')).toBe(false);
    expect(net.canSend('w2', 'cp2')).toBe(false);
    expect(net.canSend('cp1', 'w2')).toBe(true);
    expect(w.ctx.world.peerNetwork.cuts()).toEqual([]);
    expect(w.lines[0]).toMatchObject({ fault: 'isolate', node: 'cp2', detail: '[cp2] for 1000 ms' });
    expect(w.registry.nodesTakenOut()).toEqual(new Set(['cp2']));
    expect(w.calls).toEqual(['0 markEtcdDirty']);
    w.run(2_000);
    expect(net.cuts()).toEqual([]);
    expect(w.calls).toEqual(['0 markEtcdDirty', '1000 markEtcdDirty']);
    expect(w.lines.at(-1)).toMatchObject({ t: 1_000, type: 'fault.end', fault: 'isolate' });
  });

  it('groups: the nodes outside the largest side are taken out; the rest of the nodes form a side', () => {
    const w = faultWorld(NODES);
    partition(w.ctx, [['cp1', 'cp2'], ['cp3']], false, null);
    // Sides: [cp1,cp2], [cp3], [w1,w2] — the first largest wins a tie.
    expect(w.registry.nodesTakenOut()).toEqual(new Set(['cp3', 'w1', 'w2']));
    expect(w.lines[0]).toMatchObject({ fault: 'partition', detail: '[cp1,cp2] | [cp3] until healed' });
    expect('node' in w.lines[0]!).toBe(false);
    const w2 = faultWorld(NODES);
    partition(w2.ctx, [['cp1'], ['cp2', 'cp3', 'w1']], false, 5);
    expect(w2.registry.nodesTakenOut()).toEqual(new Set(['cp1', 'w2']));
    const w3 = faultWorld(['cp1', 'cp2', 'cp3']);
    partition(w3.ctx, [['cp1'], ['cp2', 'cp3']], false, 5);
    expect(w3.registry.nodesTakenOut()).toEqual(new Set(['cp1']));
  });

  it('one-way cuts only the first group outgoing; peer-only cuts only the peer network', () => {
    const w = faultWorld(NODES);
    const id = partition(w.ctx, [['cp1']], true, null, false, 'peer');
    expect(id).toBe(1);
    const peer = w.ctx.world.peerNetwork;
    expect(peer.canSend('cp1', 'cp2')).toBe(false);
    expect(peer.canSend('cp2', 'cp1')).toBe(true);
    expect(w.ctx.world.network.cuts()).toEqual([]);
    expect(w.lines[0]).toMatchObject({ detail: 'etcd peer traffic only: one-way [cp1] until healed' });
    expect(w.registry.end(w.scheduler, 1, 'healed')).toBe(true);
    expect(peer.cuts()).toEqual([]);
  });

  it('random isolation: one node, a duration drawn from the range, counted as random', () => {
    const w = faultWorld(NODES);
    const stream = new Stream('faults', 7);
    const probe = new Stream('faults', 7);
    partitionKind.random!.fire(w.ctx, 'w1', { duration: { minMs: 100, maxMs: 900 } }, stream, null);
    const expected = probe.int(100, 900);
    expect(w.lines[0]).toMatchObject({ fault: 'isolate', node: 'w1', detail: `[w1] for ${expected} ms` });
    expect(w.registry.countRandom()).toBe(1);
    w.run(expected - 1);
    expect(w.ctx.world.network.canSend('w1', 'cp1')).toBe(false);
    w.run(expected);
    expect(w.ctx.world.network.canSend('w1', 'cp1')).toBe(true);
  });

  it('after the liveness phase nothing is cut and null is returned', () => {
    const w = faultWorld(NODES);
    w.registry.stopAll(w.scheduler);
    expect(partition(w.ctx, [['cp1']], false, 10)).toBeNull();
    expect(w.ctx.world.network.cuts()).toEqual([]);
    expect(w.calls).toEqual([]);
  });
});

describe('powerLoss', () => {
  it('off at once, on after the duration, the node taken out; overlapping losses compose', () => {
    const w = faultWorld(NODES);
    powerLossKind.inject(w.ctx, { type: 'powerLoss', atMs: 0, node: 'cp1', durationMs: 1_000 });
    expect(w.lines[0]).toMatchObject({ fault: 'powerLoss', node: 'cp1', detail: 'off for 1000 ms' });
    expect(w.registry.nodesTakenOut()).toEqual(new Set(['cp1']));
    expect(w.registry.countRandom()).toBe(0);
    w.scheduler.at(500, () => void powerLoss(w.ctx, 'cp1', 1_000));
    w.run(5_000);
    expect(w.calls).toEqual(['0 powerLoss "cp1"', '1500 powerOn "cp1"']);
  });

  it('after the liveness phase it returns null and leaves the power on', () => {
    const w = faultWorld(NODES);
    w.registry.stopAll(w.scheduler);
    expect(powerLoss(w.ctx, 'cp1', 10)).toBeNull();
    expect(w.registry.powerHeldOff('cp1')).toBe(0);
    expect(w.calls).toEqual([]);
  });

  it('a random power loss lasts a duration drawn from the range and counts as random', () => {
    const w = faultWorld(NODES);
    const stream = new Stream('faults', 3);
    const probe = new Stream('faults', 3);
    powerLossKind.random!.fire(w.ctx, 'w2', { duration: { minMs: 1_000, maxMs: 9_000 } }, stream, null);
    const expected = probe.int(1_000, 9_000);
    expect(w.registry.countRandom()).toBe(1);
    w.run(60_000);
    expect(w.calls).toEqual(['0 powerLoss "w2"', `${expected} powerOn "w2"`]);
  });
});

// Details of the fault kinds that the first mutation run of sim/faults/ (issue 7) showed unpinned: where a
// parse problem points (the field path of the offending key), the fault name on the trace lines, which
// faults count as random, when a partition is an `isolate` of one node, and the ids of instantaneous
// faults. Each test was seen red against the mutant it kills.
import { describe, expect, it } from 'vitest';
import { diskWipeKind } from '../../../sim/faults/disk-wipe.js';
import { etcdLeaveFails, etcdLeaveFailsKind } from '../../../sim/faults/etcd-leave-fails.js';
import { etcdRemoveMemberKind } from '../../../sim/faults/etcd-remove-member.js';
import { failedBoot, failedBootKind } from '../../../sim/faults/failed-boot.js';
import { busyMountsKind } from '../../../sim/faults/busy-mounts.js';
import { installFailsKind } from '../../../sim/faults/install-fails.js';
import type { FaultParseContext, FieldPath, RawFields } from '../../../sim/faults/kind.js';
import { partition, partitionKind } from '../../../sim/faults/partition.js';
import { powerLossKind } from '../../../sim/faults/power-loss.js';
import { faultWorld } from '../../helpers/fault-world.js';

/** A parse context in which every node name and range is refused, so each parser shows where it points. */
function refusing(upgradeTo: string | null = 'v1.8.0'): { p: FaultParseContext; paths: string[] } {
  const paths: string[] = [];
  const p: FaultParseContext = {
    path: ['faults', 3],
    problem: (path: FieldPath) => paths.push(path.join('.')),
    node: (v, path) => (paths.push(path.join('.')), typeof v === 'string' ? v : 'x'),
    durationMs: () => undefined,
    range: (_v, path) => (paths.push(path.join('.')), undefined),
    times: () => 1,
    nodeNames: ['cp1', 'cp2', 'w1'],
    controlPlanes: new Set(['cp1', 'cp2']),
    nodesKnown: true,
    upgradeTo,
    versions: [],
  };
  return { p, paths };
}

describe('parse problems point at the offending key', () => {
  const cases: [string, (raw: RawFields, p: FaultParseContext) => unknown, RawFields, string[]][] = [
    ['diskWipe', (r, p) => diskWipeKind.parse(r, 0, p), { node: 'x' }, ['faults.3.node']],
    ['etcdLeaveFails', (r, p) => etcdLeaveFailsKind.parse(r, 0, p), { node: 'x' }, ['faults.3.node']],
    [
      'etcdRemoveMember',
      (r, p) => etcdRemoveMemberKind.parse(r, 0, p),
      { node: 'cp1', via: 'x' },
      ['faults.3.node', 'faults.3.via'],
    ],
    ['failedBoot', (r, p) => failedBootKind.parse(r, 0, p), { node: 'x' }, ['faults.3.node']],
    ['busyMounts', (r, p) => busyMountsKind.parse(r, 0, p), { node: 'x' }, ['faults.3.node']],
    ['installFails', (r, p) => installFailsKind.parse(r, 0, p), { node: 'x' }, ['faults.3.node']],
    ['powerLoss', (r, p) => powerLossKind.parse(r, 0, p), { node: 'x' }, ['faults.3.node']],
    ['powerLoss random', (r, p) => powerLossKind.random!.parse(r, p), {}, ['faults.3.duration']],
    ['partition isolate', (r, p) => partitionKind.parse(r, 0, p), { isolate: 'x' }, ['faults.3.isolate']],
    ['partition random', (r, p) => partitionKind.random!.parse(r, p), {}, ['faults.3.duration']],
  ];
  it.each(cases)('%s', (_name, parse, raw, expected) => {
    const { p, paths } = refusing();
    parse(raw, p);
    expect(paths).toEqual(expected);
  });

  it('failedBoot with a malformed version and no upgrade: the schema reports it, not "is required"', () => {
    const { p, paths } = refusing(null);
    failedBootKind.parse({ node: 'cp1', version: 5 }, 0, p);
    expect(paths).toEqual(['faults.3.node']);
  });
});

describe('trace lines name their fault', () => {
  it('diskWipe, etcdLeaveFails and etcdRemoveMember', () => {
    const w = faultWorld(['cp1', 'cp2', 'cp3']);
    diskWipeKind.inject(w.ctx, { type: 'diskWipe', atMs: 0, node: 'cp1', label: 'BOOT' });
    etcdLeaveFailsKind.inject(w.ctx, {
      type: 'etcdLeaveFails',
      atMs: 0,
      node: 'cp2',
      times: 1,
      applied: false,
    });
    etcdRemoveMemberKind.inject(w.ctx, { type: 'etcdRemoveMember', atMs: 0, node: 'cp3', via: 'cp1' });
    expect(w.lines.map((l) => `${l.type} ${l.fault ?? l.change}`)).toEqual([
      'fault.start diskWipe',
      'fault.end diskWipe',
      'fault.start etcdLeaveFails',
      'fault.start etcdRemoveMember',
      'fault.end etcdRemoveMember',
      'etcd.member operator-remove',
    ]);
  });

  it('etcdLeaveFails without `applied`: a plain failure, the removal does not take effect', () => {
    const w = faultWorld(['cp1']);
    etcdLeaveFails(w.ctx, 'cp1', null);
    expect(w.calls).toEqual(['0 setLeaveFailures "cp1" null false']);
    expect(w.lines[0]).toMatchObject({ detail: 'always' });
  });
});

describe('which faults are random', () => {
  it('scheduled partitions and failed boots are not random (maxConcurrent does not see them)', () => {
    const w = faultWorld(['cp1', 'cp2', 'cp3']);
    partitionKind.inject(w.ctx, {
      type: 'partition',
      atMs: 0,
      durationMs: 10,
      groups: [['cp1']],
      oneWay: false,
      ports: 'all',
    });
    partition(w.ctx, [['cp2']], false, 10);
    failedBoot(w.ctx, 'cp3', 'v1.8.0', 'init', 1);
    expect([...w.registry.active.values()].map((f) => f.random)).toEqual([false, false, false]);
    expect(w.registry.countRandom()).toBe(0);
  });
});

describe('isolate or partition', () => {
  it('only one group of exactly one node is an isolate of that node', () => {
    const kinds = (groups: string[][]) => {
      const w = faultWorld(['cp1', 'cp2', 'cp3']);
      partition(w.ctx, groups, false, 10);
      const l = w.lines[0]!;
      return [l.fault, 'node' in l ? l.node : '-'];
    };
    expect(kinds([['cp1']])).toEqual(['isolate', 'cp1']);
    expect(kinds([['cp1', 'cp2']])).toEqual(['partition', '-']);
    expect(kinds([['cp1'], ['cp2', 'cp3']])).toEqual(['partition', '-']);
    expect(kinds([['cp1'], ['cp2']])).toEqual(['partition', '-']);
  });
});

describe('registry ids and finish', () => {
  it('instantaneous faults take the next ids like any other', () => {
    const w = faultWorld(['cp1', 'cp2']);
    diskWipeKind.inject(w.ctx, { type: 'diskWipe', atMs: 0, node: 'cp1', label: 'META' });
    diskWipeKind.inject(w.ctx, { type: 'diskWipe', atMs: 0, node: 'cp2', label: 'META' });
    busyMountsKind.inject(w.ctx, { type: 'busyMounts', atMs: 0, node: 'cp1', durationMs: null });
    expect(w.lines.map((l) => l.id)).toEqual([1, 1, 2, 2, 3]);
  });

  it('finishing an id that is not active does nothing', () => {
    const w = faultWorld(['cp1']);
    w.registry.finish(42, 'never started');
    expect(w.lines).toEqual([]);
    expect(w.registry.nodesTakenOut()).toEqual(new Set());
  });
});

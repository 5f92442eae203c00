// How each fault kind turns its `faults:` entry (or its `random:` entry) into a normalised spec, and which
// entries it refuses because they would do nothing (issue 6, "Also"): each kind's `parse` on its own, with a
// recording parse context standing in for the scenario loader. Found missing by mutation testing (issue 7):
// the loader's own tests (test/unit/scenario/) cover a few of these through whole files.
import { describe, expect, it } from 'vitest';
import { bootPartitionFullKind } from '../../../sim/faults/boot-partition-full.js';
import { busyMountsKind } from '../../../sim/faults/busy-mounts.js';
import { diskWipeKind } from '../../../sim/faults/disk-wipe.js';
import { etcdLeaveFailsKind } from '../../../sim/faults/etcd-leave-fails.js';
import { etcdRemoveMemberKind } from '../../../sim/faults/etcd-remove-member.js';
import { failedBootKind } from '../../../sim/faults/failed-boot.js';
import { IMAGE_PULL_TIMEOUT, imagePullFailsKind } from '../../../sim/faults/image-pull-fails.js';
import { installFailsKind } from '../../../sim/faults/install-fails.js';
import { isWorker, schemaRef, type FaultParseContext, type FieldPath } from '../../../sim/faults/kind.js';
import { partitionKind } from '../../../sim/faults/partition.js';
import { powerLossKind } from '../../../sim/faults/power-loss.js';

interface Problem {
  path: string;
  message: string;
  atKey: boolean;
}

/** A parse context over cp1..cp3 + w1, w2 upgrading to `upgradeTo`; durations are numbers of ms here. */
function context(opts: { upgradeTo?: string | null; versions?: string[]; nodesKnown?: boolean } = {}): {
  p: FaultParseContext;
  problems: Problem[];
} {
  const problems: Problem[] = [];
  const nodeNames = ['cp1', 'cp2', 'cp3', 'w1', 'w2'];
  const p: FaultParseContext = {
    path: ['faults', 0],
    problem: (path: FieldPath, message: string, atKey?: boolean) =>
      problems.push({ path: path.join('.'), message, atKey: atKey ?? false }),
    node: (v, path) => {
      if (typeof v !== 'string' || !nodeNames.includes(v))
        problems.push({ path: path.join('.'), message: 'unknown', atKey: false });
      return typeof v === 'string' ? v : '';
    },
    durationMs: (v) => (typeof v === 'number' ? v : undefined),
    range: (v) => (typeof v === 'number' ? { minMs: v, maxMs: v * 2 } : undefined),
    times: (v) => (v === 'always' ? null : typeof v === 'number' ? v : 1),
    nodeNames,
    controlPlanes: new Set(['cp1', 'cp2', 'cp3']),
    nodesKnown: opts.nodesKnown ?? true,
    upgradeTo: opts.upgradeTo === undefined ? 'v1.8.0' : opts.upgradeTo,
    versions: opts.versions ?? ['v1.7.6', 'v1.8.0'],
  };
  return { p, problems };
}

describe('isWorker and schemaRef', () => {
  it('a worker is a known node that is not a control plane; nothing is a worker when nodes are unknown', () => {
    const { p } = context();
    expect(['cp1', 'w1', 'x9'].map((n) => isWorker(p, n))).toEqual([false, true, false]);
    expect(isWorker(context({ nodesKnown: false }).p, 'w1')).toBe(false);
    expect(schemaRef('duration')).toEqual({ $ref: '#/definitions/duration' });
  });
});

describe('node-condition kinds', () => {
  it('node and duration; no duration means until the liveness phase', () => {
    const { p, problems } = context();
    expect(bootPartitionFullKind.parse({ node: 'cp1', duration: 5_000 }, 60_000, p)).toEqual({
      type: 'bootPartitionFull',
      atMs: 60_000,
      node: 'cp1',
      durationMs: 5_000,
    });
    expect(busyMountsKind.parse({ node: 'w1' }, 0, p)).toEqual({
      type: 'busyMounts',
      atMs: 0,
      node: 'w1',
      durationMs: null,
    });
    expect(problems).toEqual([]);
    busyMountsKind.parse({ node: 'nope' }, 0, p);
    expect(problems).toEqual([{ path: 'faults.0.node', message: 'unknown', atKey: false }]);
    expect(busyMountsKind.required).toEqual(['node']);
  });

  it('a reason given is kept; without one, each kind has its own default', () => {
    const { p } = context();
    expect(installFailsKind.parse({ node: 'cp2', reason: 'no space' }, 1, p)).toEqual({
      type: 'installFails',
      atMs: 1,
      node: 'cp2',
      reason: 'no space',
      durationMs: null,
    });
    expect(installFailsKind.parse({ node: 'cp2', duration: 9 }, 1, p)).toMatchObject({
      reason: 'installer: pulling the installer image timed out',
      durationMs: 9,
    });
    expect(imagePullFailsKind.parse({ node: 'cp2', reason: 3 }, 1, p)).toMatchObject({
      type: 'imagePullFails',
      reason: IMAGE_PULL_TIMEOUT,
    });
    expect(IMAGE_PULL_TIMEOUT).toBe('context deadline exceeded');
    expect(Object.keys(installFailsKind.properties)).toEqual(['node', 'reason', 'duration']);
    expect(installFailsKind.properties.reason).toEqual({ type: 'string', minLength: 1 });
  });
});

describe('diskWipe', () => {
  it('node and label, taken as given (the schema checks the label)', () => {
    const { p, problems } = context();
    expect(diskWipeKind.parse({ node: 'cp3', label: 'STATE' }, 7, p)).toEqual({
      type: 'diskWipe',
      atMs: 7,
      node: 'cp3',
      label: 'STATE',
    });
    expect(problems).toEqual([]);
    expect(diskWipeKind.required).toEqual(['at', 'node', 'label']);
  });
});

describe('etcdLeaveFails', () => {
  it('times (1 by default, null for always) and applied (only when true)', () => {
    const { p, problems } = context();
    expect(etcdLeaveFailsKind.parse({ node: 'cp1' }, 0, p)).toEqual({
      type: 'etcdLeaveFails',
      atMs: 0,
      node: 'cp1',
      times: 1,
      applied: false,
    });
    expect(etcdLeaveFailsKind.parse({ node: 'cp1', times: 'always', applied: true }, 0, p)).toMatchObject({
      times: null,
      applied: true,
    });
    expect(etcdLeaveFailsKind.parse({ node: 'cp1', applied: 'yes' }, 0, p)).toMatchObject({ applied: false });
    expect(problems).toEqual([]);
  });

  it('on a worker it is refused: a worker never leaves etcd', () => {
    const { p, problems } = context();
    etcdLeaveFailsKind.parse({ node: 'w2' }, 0, p);
    expect(problems).toEqual([
      {
        path: 'faults.0.node',
        message: "node 'w2' is a worker: it never leaves etcd, so this fault would do nothing",
        atKey: false,
      },
    ]);
  });
});

describe('etcdRemoveMember', () => {
  it('via defaults to the first other control plane', () => {
    const { p, problems } = context();
    expect(etcdRemoveMemberKind.parse({ node: 'cp1' }, 0, p)).toEqual({
      type: 'etcdRemoveMember',
      atMs: 0,
      node: 'cp1',
      via: 'cp2',
    });
    expect(etcdRemoveMemberKind.parse({ node: 'cp2' }, 0, p)).toMatchObject({ via: 'cp1' });
    expect(etcdRemoveMemberKind.parse({ node: 'cp2', via: 'cp3' }, 0, p)).toMatchObject({ via: 'cp3' });
    expect(problems).toEqual([]);
  });

  it('a worker target has no member, and a worker cannot send the removal', () => {
    const { p, problems } = context();
    etcdRemoveMemberKind.parse({ node: 'w1', via: 'w2' }, 0, p);
    expect(problems).toEqual([
      { path: 'faults.0.node', message: "node 'w1' is a worker and has no etcd member", atKey: false },
      {
        path: 'faults.0.via',
        message: "node 'w2' is a worker: it has no etcd member to send the removal through",
        atKey: false,
      },
    ]);
  });

  it('with unknown nodes (an invalid cluster size) nothing is said about roles', () => {
    const { p, problems } = context({ nodesKnown: false });
    etcdRemoveMemberKind.parse({ node: 'w1', via: 'w2' }, 0, p);
    expect(problems).toEqual([]);
  });
});

describe('failedBoot', () => {
  it("version defaults to the upgrade's target, stage to init, times to 1", () => {
    const { p, problems } = context();
    expect(failedBootKind.parse({ node: 'cp1' }, 0, p)).toEqual({
      type: 'failedBoot',
      atMs: 0,
      node: 'cp1',
      version: 'v1.8.0',
      stage: 'init',
      times: 1,
    });
    expect(
      failedBootKind.parse({ node: 'cp1', version: 'v1.7.6', stage: 'kernel', times: 'always' }, 0, p),
    ).toMatchObject({ version: 'v1.7.6', stage: 'kernel', times: null });
    expect(problems).toEqual([]);
  });

  it('without an upgrade the version is required', () => {
    const { p, problems } = context({ upgradeTo: null, versions: ['v1.7.6'] });
    expect(failedBootKind.parse({ node: 'cp1' }, 0, p)).toMatchObject({ version: '' });
    expect(problems).toEqual([
      { path: 'faults.0.version', message: 'is required when the scenario has no upgrade', atKey: false },
    ]);
  });

  it('a version no node ever boots is refused, at the version key or (defaulted) at the entry', () => {
    const { p, problems } = context({ versions: ['v1.7.6', 'v1.9.0'] });
    failedBootKind.parse({ node: 'cp1', version: 'v1.9.9' }, 0, p);
    failedBootKind.parse({ node: 'cp1' }, 0, p);
    expect(problems).toEqual([
      {
        path: 'faults.0.version',
        message: 'no node ever boots v1.9.9 (versions in this scenario: v1.7.6, v1.9.0)',
        atKey: false,
      },
      {
        path: 'faults.0',
        message: 'no node ever boots v1.8.0 (versions in this scenario: v1.7.6, v1.9.0)',
        atKey: false,
      },
    ]);
  });

  it('with no known versions (the schema reported the cluster version) nothing is checked', () => {
    const { p, problems } = context({ versions: [] });
    failedBootKind.parse({ node: 'cp1', version: 'v9.9.9' }, 0, p);
    expect(problems).toEqual([]);
  });

  it('random: the stage (init by default); refused at its key when there is no upgrade', () => {
    const { p, problems } = context();
    const r = failedBootKind.random!;
    expect(r.key).toBe('failedBoot');
    expect(r.parse({}, p)).toEqual({ stage: 'init' });
    expect(r.parse({ stage: 'hang' }, p)).toEqual({ stage: 'hang' });
    expect(problems).toEqual([]);
    const none = context({ upgradeTo: null });
    none.p.path.splice(0, 2, 'random', 'failedBoot');
    r.parse({}, none.p);
    expect(none.problems).toHaveLength(1);
    expect(none.problems[0]).toMatchObject({ path: 'random.failedBoot', atKey: true });
    expect(none.problems[0]!.message).toMatch(/^a random failedBoot fails .* it would never happen/);
  });
});

describe('partition', () => {
  it('groups, or isolate as a group of one; oneWay and ports only when given as such', () => {
    const { p, problems } = context();
    expect(partitionKind.parse({ groups: [['cp1'], ['cp2', 'cp3']], duration: 60_000 }, 5, p)).toEqual({
      type: 'partition',
      atMs: 5,
      durationMs: 60_000,
      groups: [['cp1'], ['cp2', 'cp3']],
      oneWay: false,
      ports: 'all',
    });
    expect(
      partitionKind.parse({ isolate: 'w1', duration: 1, oneWay: true, ports: 'peer' }, 5, p),
    ).toMatchObject({ groups: [['w1']], oneWay: true, ports: 'peer' });
    expect(partitionKind.parse({ isolate: 'w1', oneWay: 'yes', ports: 'x' }, 5, p)).toMatchObject({
      durationMs: 0,
      oneWay: false,
      ports: 'all',
    });
    expect(problems).toEqual([]);
  });

  it('exactly one of groups or isolate', () => {
    for (const raw of [{}, { isolate: 'cp1', groups: [['cp2']] }]) {
      const { p, problems } = context();
      expect(partitionKind.parse(raw, 0, p).groups).toEqual([]);
      expect(problems).toEqual([
        { path: 'faults.0', message: "a partition needs exactly one of 'groups' or 'isolate'", atKey: false },
      ]);
    }
  });

  it('a node in two places is refused where it appears again; non-lists read as empty', () => {
    const { p, problems } = context();
    partitionKind.parse({ groups: [['cp1', 'cp2'], ['cp2'], ['cp1']] }, 0, p);
    expect(problems).toEqual([
      { path: 'faults.0.groups.1.0', message: "node 'cp2' appears in more than one place", atKey: false },
      { path: 'faults.0.groups.2.0', message: "node 'cp1' appears in more than one place", atKey: false },
    ]);
    expect(partitionKind.parse({ groups: 'cp1' }, 0, context().p).groups).toEqual([]);
    expect(partitionKind.parse({ groups: [['cp1'], 'cp2'] }, 0, context().p).groups).toEqual([['cp1'], []]);
  });

  it('random isolation: a duration range, zero when malformed', () => {
    const { p } = context();
    const r = partitionKind.random!;
    expect(r.key).toBe('isolate');
    expect(r.required).toEqual(['duration']);
    expect(r.parse({ duration: 10 }, p)).toEqual({ duration: { minMs: 10, maxMs: 20 } });
    expect(r.parse({}, p)).toEqual({ duration: { minMs: 0, maxMs: 0 } });
  });
});

describe('powerLoss', () => {
  it('node and duration (0 when malformed); random: a duration range', () => {
    const { p } = context();
    expect(powerLossKind.parse({ node: 'cp2', duration: 30_000 }, 9, p)).toEqual({
      type: 'powerLoss',
      atMs: 9,
      node: 'cp2',
      durationMs: 30_000,
    });
    expect(powerLossKind.parse({ node: 'cp2' }, 9, p)).toMatchObject({ durationMs: 0 });
    const r = powerLossKind.random!;
    expect(r.key).toBe('powerLoss');
    expect(r.parse({ duration: 5 }, p)).toEqual({ duration: { minMs: 5, maxMs: 10 } });
    expect(r.parse({ duration: 'x' }, p)).toEqual({ duration: { minMs: 0, maxMs: 0 } });
  });
});

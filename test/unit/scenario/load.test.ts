import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applySeed,
  loadScenarioFile,
  parseScenario,
  ScenarioError,
  type ScenarioProblem,
} from '../../../sim/scenario/load.js';
import { POLICY_PRESETS } from '../../../sim/scenario/policies.js';
import { INVARIANT_NAMES } from '../../../sim/scenario/types.js';

const FULL = `name: three-cp-power-loss-during-upgrade
seed: 42
duration: 2h
liveness: { faultsUntil: 90m, bound: 20m }
profile: talos-1.8
bootloader: boot-counting
bootTries: 4
cluster:
  controlPlanes: 3
  workers: 2
  version: v1.7.6
  nodes:
    - { name: cp1, attach: 127.0.0.1:50051 }
timing: { firmware: 5s..10s, boot: 45s..90s, install: 2m, api: 50ms..200ms }
upgrade:
  to: v1.8.0
  at: 5m
  policy: { preset: naive, parallel: 2, nodeTimeout: 10m, rebootMode: powercycle }
faults:
  - { at: 7m, type: powerLoss, node: cp2, duration: 3m }
  - { at: 9m, type: partition, groups: [[cp1], [cp2, cp3]], duration: 2m }
  - { at: 11m, type: partition, isolate: w1, duration: 30s, oneWay: true }
  - { type: failedBoot, node: cp1, stage: kernel, times: 2 }
  - { at: 1m, type: diskWipe, node: cp2, label: EPHEMERAL }
  - { at: 0s, type: bootPartitionFull, node: w1 }
  - { at: 0s, type: etcdLeaveFails, node: cp1, times: always }
random:
  powerLoss: { ratePerNodeHour: 0.5, duration: 1m..5m }
  failedBoot: { ratePerNodeHour: 0.1 }
  maxConcurrent: 2
  from: 5m
workload: { etcdWritesPerSecond: 0 }
invariants: [quorum, bootable, rollback, durability, convergence]
quorumTolerateFaults: false
checkpointEvery: 30s
expect:
  violations: [quorum]
  holds: [durability]
  finalVersions: { cp1: v1.7.6 }
  writesLostMax: 0
  learners: [cp2]
`;

// Line numbers matter to the tests below: controlPlanes is on line 3.
const MINIMAL = `name: minimal
cluster:
  controlPlanes: 3
  workers: 1
  version: v1.7.6
seed: 7
duration: 30m
profile: talos-1.7
bootloader: talos
`;

/** The problems of a text that must not load; fails the test if it loads or throws anything else. */
function problemsOf(text: string, file = 'bad.yaml'): readonly ScenarioProblem[] {
  try {
    parseScenario(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).problems;
  }
  throw new Error('expected a ScenarioError');
}

function only(problems: readonly ScenarioProblem[], field: string): ScenarioProblem {
  const found = problems.filter((p) => p.field === field);
  expect(found, `problems: ${JSON.stringify(problems)}`).toHaveLength(1);
  return found[0]!;
}

describe('parseScenario: a good file', () => {
  const s = parseScenario(FULL, 'full.yaml');

  it('converts times to milliseconds', () => {
    expect(s.durationMs).toBe(7_200_000);
    expect(s.liveness).toEqual({ faultsUntilMs: 5_400_000, boundMs: 1_200_000 });
    expect(s.checkpointEveryMs).toBe(30_000);
    expect(s.upgrade?.atMs).toBe(300_000);
    expect(s.random?.fromMs).toBe(300_000);
    expect(s.random?.powerLoss).toEqual({
      ratePerNodeHour: 0.5,
      duration: { minMs: 60_000, maxMs: 300_000 },
    });
  });

  it('builds nodes cp1..cpN then w1..wM with overrides', () => {
    expect(s.cluster.nodes).toEqual([
      { name: 'cp1', role: 'controlplane', attach: '127.0.0.1:50051' },
      { name: 'cp2', role: 'controlplane' },
      { name: 'cp3', role: 'controlplane' },
      { name: 'w1', role: 'worker' },
      { name: 'w2', role: 'worker' },
    ]);
    expect(s.cluster.version).toBe('v1.7.6');
    expect(s.bootTries).toBe(4);
  });

  it('fills timing defaults and takes boot as shorthand for init', () => {
    expect(s.timing.init).toEqual({ minMs: 45_000, maxMs: 90_000 });
    expect(s.timing.install).toEqual({ minMs: 120_000, maxMs: 120_000 });
    expect(s.timing.kernel).toEqual({ minMs: 3_000, maxMs: 6_000 });
    expect(s.timing.drain).toEqual({ minMs: 30_000, maxMs: 30_000 });
    expect(s.timing.api).toEqual({ minMs: 50, maxMs: 200 });
  });

  it('applies a policy preset and its overrides', () => {
    expect(s.upgrade?.policy).toEqual({
      ...POLICY_PRESETS.naive,
      parallel: 2,
      nodeTimeoutMs: 600_000,
      rebootMode: 'powercycle',
    });
    expect(s.upgrade?.policy.healthGate).toBe(false);
    expect(s.upgrade?.policy.onFailure).toBe('continue');
  });

  it('normalises faults', () => {
    expect(s.faults).toEqual([
      { type: 'powerLoss', atMs: 420_000, node: 'cp2', durationMs: 180_000 },
      {
        type: 'partition',
        atMs: 540_000,
        durationMs: 120_000,
        groups: [['cp1'], ['cp2', 'cp3']],
        oneWay: false,
        ports: 'all',
      },
      {
        type: 'partition',
        atMs: 660_000,
        durationMs: 30_000,
        groups: [['w1']],
        oneWay: true,
        ports: 'all',
      },
      // version defaults to the upgrade target, at to 0
      { type: 'failedBoot', atMs: 0, node: 'cp1', version: 'v1.8.0', stage: 'kernel', times: 2 },
      { type: 'diskWipe', atMs: 60_000, node: 'cp2', label: 'EPHEMERAL' },
      { type: 'bootPartitionFull', atMs: 0, node: 'w1', durationMs: null },
      { type: 'etcdLeaveFails', atMs: 0, node: 'cp1', times: null, applied: false },
    ]);
    expect(s.random?.failedBoot).toEqual({ ratePerNodeHour: 0.1, stage: 'init' });
    expect(s.random?.isolate).toBeUndefined();
  });

  it('keeps the rest', () => {
    expect(s.name).toBe('three-cp-power-loss-during-upgrade');
    expect(s.file).toBe('full.yaml');
    expect(s.seed).toBe(42);
    expect(s.workload.etcdWritesPerSecond).toBe(0);
    expect(s.quorumTolerateFaults).toBe(false);
    expect(s.invariants).toEqual(['quorum', 'bootable', 'rollback', 'durability', 'convergence']);
    expect(s.expect).toEqual({
      violations: ['quorum'],
      // Strict expectations: every checked invariant not expected to be violated must hold.
      holds: ['bootable', 'rollback', 'durability', 'convergence'],
      finalVersions: { cp1: 'v1.7.6' },
      writesLostMax: 0,
      learners: ['cp2'],
      finalStates: {},
      events: [],
      absentEvents: [],
    });
    expect(applySeed(s, 'other').seed).toBe('other');
    expect(s.seed).toBe(42);
  });

  it('fills every default of a minimal file', () => {
    const m = parseScenario(MINIMAL, 'minimal.yaml');
    expect(m.liveness).toEqual({ faultsUntilMs: 20 * 60_000, boundMs: 10 * 60_000 }); // bound = duration/3
    expect(m.bootTries).toBe(3);
    expect(m.upgrade).toBeNull();
    expect(m.random).toBeNull();
    expect(m.expect).toBeNull();
    expect(m.faults).toEqual([]);
    expect(m.invariants).toEqual([...INVARIANT_NAMES]);
    expect(m.invariants).toHaveLength(7);
    expect(m.workload.etcdWritesPerSecond).toBe(5);
    expect(m.quorumTolerateFaults).toBe(true);
    expect(m.checkpointEveryMs).toBe(60_000);
    expect(m.timing.init).toEqual({ minMs: 20_000, maxMs: 40_000 });
    expect(m.timing.firmware).toEqual({ minMs: 5_000, maxMs: 10_000 });
    const long = parseScenario(MINIMAL.replace('duration: 30m', 'duration: 2h'), 'm.yaml');
    expect(long.liveness).toEqual({ faultsUntilMs: 90 * 60_000, boundMs: 30 * 60_000 }); // bound capped at 30m
  });

  it('takes a preset by name, and the default policy is talosctl', () => {
    const named = parseScenario(MINIMAL + 'upgrade: { to: v1.8.0, at: 1m, policy: talosctl }\n', 'm.yaml');
    expect(named.upgrade).toEqual({ to: 'v1.8.0', atMs: 60_000, policy: POLICY_PRESETS.talosctl });
    const unnamed = parseScenario(MINIMAL + 'upgrade: { to: v1.8.0 }\n', 'm.yaml');
    expect(unnamed.upgrade).toEqual({ to: 'v1.8.0', atMs: 0, policy: POLICY_PRESETS.talosctl });
    const explicit = parseScenario(
      MINIMAL + 'upgrade: { to: v1.8.0, policy: { order: explicit, explicitOrder: [w1, cp3, cp1, cp2] } }\n',
      'm.yaml',
    );
    expect(explicit.upgrade?.policy.explicitOrder).toEqual(['w1', 'cp3', 'cp1', 'cp2']);
    expect(POLICY_PRESETS.talosctl.explicitOrder).toEqual([]);
  });

  it('loads from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'upgradelab-scenario-'));
    try {
      const path = join(dir, 's.yaml');
      writeFileSync(path, MINIMAL);
      expect(loadScenarioFile(path).file).toBe(path);
      expect(() => loadScenarioFile(join(dir, 'missing.yaml'))).toThrow(ScenarioError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseScenario: bad files', () => {
  it('names file, line, column and field of an out-of-range value', () => {
    const text = MINIMAL.replace('controlPlanes: 3', 'controlPlanes: -3');
    const p = only(problemsOf(text, 'f.yaml'), 'cluster.controlPlanes');
    expect(p).toMatchObject({ file: 'f.yaml', line: 3, column: 18, message: 'must be >= 1' });
    expect(() => parseScenario(text, 'f.yaml')).toThrow(
      "f.yaml:3:18: field 'cluster.controlPlanes': must be >= 1",
    );
  });

  it('rejects unknown keys, naming them', () => {
    const problems = problemsOf(MINIMAL + 'colour: red\ncluster2: {}\n');
    expect(only(problems, 'colour')).toMatchObject({ line: 10, column: 1 });
    expect(only(problems, 'colour').message).toMatch(/^unknown key 'colour'/);
    expect(only(problems, 'cluster2').line).toBe(11);
    const nested = problemsOf(MINIMAL.replace('  workers: 1', '  workers: 1\n  wrokers: 2'));
    expect(only(nested, 'cluster.wrokers')).toMatchObject({ line: 5, column: 3 });
  });

  it('rejects a bad duration string', () => {
    const p = only(problemsOf(MINIMAL.replace('duration: 30m', 'duration: 30 minutes')), 'duration');
    expect(p.line).toBe(7);
    expect(p.message).toMatch(/not a duration: "30 minutes"/);
    const fault = problemsOf(MINIMAL + 'faults:\n  - { at: 5x, type: powerLoss, node: cp1, duration: 1m }\n');
    expect(only(fault, 'faults[0].at')).toMatchObject({ line: 11 });
  });

  it('rejects an unknown node in a fault', () => {
    const text =
      MINIMAL +
      'faults:\n  - { at: 1m, type: powerLoss, node: cp1, duration: 1m }\n  - { at: 2m, type: diskWipe, node: cp9, label: all }\n';
    const p = only(problemsOf(text), 'faults[1].node');
    expect(p.line).toBe(12);
    expect(p.message).toBe("unknown node 'cp9' (nodes: cp1, cp2, cp3, w1)");
  });

  it('turns YAML syntax errors into ScenarioErrors with a line', () => {
    const problems = problemsOf(MINIMAL.replace('duration: 30m', 'duration: [30m'));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.message).toMatch(/^YAML syntax error/);
    expect(problems[0]!.line).toBeGreaterThanOrEqual(7);
    const dup = problemsOf(MINIMAL + 'seed: 8\n');
    expect(dup[0]).toMatchObject({ line: 10, field: '' });
  });

  it.each([
    ['a missing required key', MINIMAL.replace(/  version: .*\n/, ''), 'cluster.version', 3, 'is required'],
    [
      'an unknown fault type',
      MINIMAL + 'faults:\n  - { at: 1m, type: meteor }\n',
      'faults[0].type',
      11,
      /must be one of/,
    ],
    [
      'a wrong type',
      MINIMAL.replace('workers: 1', 'workers: many'),
      'cluster.workers',
      4,
      'must be an integer',
    ],
    [
      'a bad version',
      MINIMAL.replace('version: v1.7.6', 'version: "1.7"'),
      'cluster.version',
      5,
      /not a version/,
    ],
    [
      'a reversed range',
      MINIMAL + 'timing: { init: 40s..20s }\n',
      'timing.init',
      10,
      /maximum below its minimum/,
    ],
    [
      'a fault after the end of the run',
      MINIMAL + 'faults:\n  - { at: 31m, type: powerLoss, node: cp1, duration: 1m }\n',
      'faults[0].at',
      11,
      /after the end of the run/,
    ],
    [
      'an upgrade after the end',
      MINIMAL + 'upgrade: { to: v1.8.0, at: 1h }\n',
      'upgrade.at',
      10,
      /after the end/,
    ],
    [
      'faultsUntil after the end',
      MINIMAL + 'liveness: { faultsUntil: 31m }\n',
      'liveness.faultsUntil',
      10,
      /after the end/,
    ],
    [
      'a node in two partition groups',
      MINIMAL + 'faults:\n  - { at: 1m, type: partition, groups: [[cp1, cp2], [cp2]], duration: 1m }\n',
      'faults[0].groups[1][0]',
      11,
      /more than one place/,
    ],
    [
      'an incomplete explicit order',
      MINIMAL + 'upgrade:\n  to: v1.8.0\n  policy: { order: explicit, explicitOrder: [cp1, cp2] }\n',
      'upgrade.policy.explicitOrder',
      12,
      'must list every node; missing: cp3, w1',
    ],
    [
      'an unknown override node',
      MINIMAL.replace('  version: v1.7.6', '  version: v1.7.6\n  nodes: [{ name: w2 }]'),
      'cluster.nodes[0].name',
      6,
      /unknown node 'w2'/,
    ],
    [
      'an unknown expected node',
      MINIMAL + 'expect: { learners: [cp4] }\n',
      'expect.learners[0]',
      10,
      /unknown node/,
    ],
    [
      'an unknown policy key',
      MINIMAL + 'upgrade: { to: v1.8.0, policy: { speed: 2 } }\n',
      'upgrade.policy.speed',
      10,
      /unknown key/,
    ],
  ])('reports %s', (_what, text, field, line, message) => {
    const p = only(problemsOf(text), field);
    expect(p.line).toBe(line);
    if (typeof message === 'string') expect(p.message).toBe(message);
    else expect(p.message).toMatch(message);
  });

  it('reports every problem at once, in line order', () => {
    const text = MINIMAL.replace('controlPlanes: 3', 'controlPlanes: 0')
      .replace('duration: 30m', 'duration: soon')
      .replace('profile: talos-1.7', 'profile: talos-2');
    const problems = problemsOf(text);
    expect(problems.map((p) => p.field)).toEqual(['cluster.controlPlanes', 'duration', 'profile']);
    // Node references are not checked against a cluster whose size is itself invalid.
    const noNoise = problemsOf(text + 'faults:\n  - { at: 1m, type: powerLoss, node: cp1, duration: 1m }\n');
    expect(noNoise).toHaveLength(3);
  });

  it('throws nothing but ScenarioError, whatever the line-by-line damage', () => {
    const lines = FULL.split('\n');
    const junk = [
      '',
      '-1',
      'null',
      '[]',
      '{}',
      '"x"',
      '1.5',
      'always',
      '[[cp9]]',
      '{ a: 1 }',
      '1s..0s',
      ': :',
    ];
    let failures = 0;
    for (let i = 0; i < lines.length; i++) {
      const variants = [lines.filter((_, j) => j !== i)];
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon > 0)
        for (const j of junk)
          variants.push(lines.map((l, k) => (k === i ? `${line.slice(0, colon)}: ${j}` : l)));
      variants.push(lines.map((l, k) => (k === i ? `${l} ]` : l)));
      for (const v of variants) {
        try {
          parseScenario(v.join('\n'), 'm.yaml');
        } catch (err) {
          if (!(err instanceof ScenarioError)) throw err;
          failures++;
          for (const p of err.problems) {
            expect(p.line).toBeGreaterThanOrEqual(1);
            expect(p.message).not.toBe('');
          }
        }
      }
    }
    expect(failures).toBeGreaterThan(100);
  });
});

describe('parseScenario: regression-library keys', () => {
  const text = `name: regression-keys
profile: talos-1.7
quirks: [flip-before-write, no-learner-promotion]
cluster: { controlPlanes: 3, workers: 1, version: v1.9.2, previousVersion: v1.8.2 }
upgrade: { to: v1.9.3, at: 5m }
faults:
  - { at: 1m, type: partition, isolate: cp1, ports: peer, duration: 2m }
  - { type: etcdLeaveFails, node: cp1, times: always, applied: true }
  - { type: installFails, node: cp2, reason: image pull timed out }
  - { at: 2m, type: busyMounts, node: cp3, duration: 5m }
  - { at: 3m, type: etcdRemoveMember, node: cp2 }
expect:
  finalStates: { cp1: init }
  events:
    - { type: etcd.member, node: cp1, change: leave-failed }
  absentEvents:
    - { type: disk.wipe, label: EPHEMERAL }
`;
  const s = parseScenario(text, 'keys.yaml');

  it('reads quirks, previousVersion, the new faults and event matchers', () => {
    expect(s.quirks).toEqual(['flip-before-write', 'no-learner-promotion']);
    expect(s.cluster.previousVersion).toBe('v1.8.2');
    expect(s.faults).toEqual([
      {
        type: 'partition',
        atMs: 60_000,
        durationMs: 120_000,
        groups: [['cp1']],
        oneWay: false,
        ports: 'peer',
      },
      { type: 'etcdLeaveFails', atMs: 0, node: 'cp1', times: null, applied: true },
      { type: 'installFails', atMs: 0, node: 'cp2', reason: 'image pull timed out', durationMs: null },
      { type: 'busyMounts', atMs: 120_000, node: 'cp3', durationMs: 300_000 },
      // `via` defaults to the first other control plane.
      { type: 'etcdRemoveMember', atMs: 180_000, node: 'cp2', via: 'cp1' },
    ]);
    expect(s.expect?.finalStates).toEqual({ cp1: 'init' });
    expect(s.expect?.events).toEqual([
      { type: 'etcd.member', fields: { node: 'cp1', change: 'leave-failed' } },
    ]);
    expect(s.expect?.absentEvents).toEqual([{ type: 'disk.wipe', fields: { label: 'EPHEMERAL' } }]);
  });

  it('rejects an unknown quirk and an etcdRemoveMember on a worker, naming the field', () => {
    const bad = text.replace('no-learner-promotion', 'time-travel').replace('node: cp2 }', 'node: w1 }');
    let err: unknown;
    try {
      parseScenario(bad, 'bad.yaml');
    } catch (e) {
      err = e;
    }
    const msg = String((err as Error).message);
    expect(msg).toMatch(/bad\.yaml:3:\d+: field 'quirks\[1\]'/);
    expect(msg).toMatch(/field 'faults\[4\]\.node': node 'w1' is a worker/);
  });
});

// Hostile input to the scenario loader (issue 11): every bad file is a ScenarioError naming file, line and
// field — never another exception, never a silent default — and bounds are checked before any work.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadScenarioFile,
  parseScenario,
  ScenarioError,
  type ScenarioProblem,
} from '../../../sim/scenario/load.js';
import { MAX_SCENARIO_BYTES } from '../../../sim/scenario/limits.js';

const CLUSTER = 'cluster: { controlPlanes: 3, workers: 1, version: v1.7.6 }\n';
const UPGRADE = 'upgrade: { to: v1.8.0, at: 5m }\n';
const ok = (extra = '') => `name: t\n${CLUSTER}${UPGRADE}${extra}`;

function problemsOf(text: string, file = 'bad.yaml'): readonly ScenarioProblem[] {
  try {
    parseScenario(text, file);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.problems;
  }
  throw new Error('expected a ScenarioError, but the file loaded');
}

/** Exactly one problem on `field`, positioned on a real line, whose message matches `re`. */
function expectProblem(text: string, field: string, re: RegExp): ScenarioProblem {
  const ps = problemsOf(text);
  const found = ps.filter((p) => p.field === field);
  expect(found, `problems: ${JSON.stringify(ps)}`).toHaveLength(1);
  expect(found[0]!.message).toMatch(re);
  expect(found[0]!.line).toBeGreaterThan(0);
  return found[0]!;
}

describe('bounds before work (issue 11 item 1)', () => {
  // No wall-clock assertion (these machines are shared and noisy): building a billion nodes would take
  // minutes and gigabytes, so the test's own timeout is the bound.
  it('a billion nodes is refused at once, without building them', { timeout: 20_000 }, () => {
    expectProblem(
      'name: t\ncluster: { controlPlanes: 1000000000, workers: 1000000000, version: v1.7.6 }\n',
      'cluster.controlPlanes',
      /<= 99/,
    );
  });
});

describe('no silent truncation: limits a scenario can hit are checked at load time (item 2)', () => {
  it('a run whose per-write workload alone exceeds the event cap is refused with the figures', () => {
    const each = 'workload: { etcdWritesPerSecond: 5, trace: each }\n';
    const p = expectProblem(ok(`duration: 30d\n${each}`), 'duration', /5,000,000/);
    expect(p.message).toMatch(/12,960,000/);
    // Batched writes (the default) are not events: the same workload fits.
    expect(parseScenario(ok('duration: 30d\n'), 'ok.yaml').workload.trace).toBe('batch');
  });
  it('a 400-digit duration is refused, not turned into Infinity', () => {
    expectProblem(ok(`duration: 1${'0'.repeat(400)}\n`), 'duration', /not a finite number/);
    expectProblem(ok(`duration: "1${'0'.repeat(400)}"\n`), 'duration', /at most/);
    expectProblem(ok(`duration: 1${'0'.repeat(400)}h\n`), 'duration', /at most/);
  });
  it('durations anywhere are bounded, including inside faults and ranges', () => {
    expectProblem(
      ok('faults:\n  - { at: 1m, type: powerLoss, node: cp1, duration: 99999999h }\n'),
      'faults[0].duration',
      /at most/,
    );
    expectProblem(ok('timing: { api: 99999999h }\n'), 'timing.api', /at most/);
  });
});

describe('sensible ranges for every knob (item 4)', () => {
  it('checkpointEvery: 1ms is refused', () => {
    expectProblem(ok('checkpointEvery: 1ms\n'), 'checkpointEvery', /at least 1s/);
  });
  it('a checkpoint count that would blow up the trace is refused', () => {
    expectProblem(
      ok('duration: 300d\nworkload: { etcdWritesPerSecond: 0 }\ncheckpointEvery: 1s\n'),
      'checkpointEvery',
      /checkpoints/,
    );
  });
  it('etcdWritesPerSecond above 1000, or one the millisecond clock cannot keep, is refused', () => {
    expectProblem(ok('workload: { etcdWritesPerSecond: 10000 }\n'), 'workload.etcdWritesPerSecond', /1000/);
    expectProblem(
      ok('workload: { etcdWritesPerSecond: 667 }\n'),
      'workload.etcdWritesPerSecond',
      /1000 writes\/s/,
    );
    expect(
      parseScenario(ok('workload: { etcdWritesPerSecond: 3 }\n'), 'a.yaml').workload.etcdWritesPerSecond,
    ).toBe(3);
  });
  it('nodeTimeout: 0s and healthTimeout: 0s are refused', () => {
    expectProblem(
      ok('upgrade: { to: v1.8.0, policy: { nodeTimeout: 0s } }\n').replace(UPGRADE, ''),
      'upgrade.policy.nodeTimeout',
      /at least/,
    );
    expectProblem(
      ok('upgrade: { to: v1.8.0, policy: { healthTimeout: 0s } }\n').replace(UPGRADE, ''),
      'upgrade.policy.healthTimeout',
      /at least/,
    );
  });
  it('timing.api is bounded tighter than the other timings', () => {
    expectProblem(ok('timing: { api: 1h }\n'), 'timing.api', /at most 1m/);
  });
  it('an attach port above 65535 is refused', () => {
    expectProblem(
      'name: t\ncluster: { controlPlanes: 1, version: v1.7.6, nodes: [{ name: cp1, attach: "127.0.0.1:70000" }] }\n',
      'cluster.nodes[0].attach',
      /65535/,
    );
  });
});

describe('expectations that cannot be met trivially (item 5)', () => {
  it('an empty expect block is an error', () => {
    expectProblem(ok('expect: {}\n'), 'expect', /empty/);
    expectProblem(ok('expect: { events: [], violations: [] }\n'), 'expect', /empty/);
  });
  it('an unknown event type in a matcher is an error', () => {
    expectProblem(
      ok('expect: { absentEvents: [{ type: disk.wype }] }\n'),
      'expect.absentEvents[0].type',
      /disk\.wipe/,
    );
  });
  it('a matcher field the event type does not have is an error', () => {
    expectProblem(
      ok('expect: { events: [{ type: disk.wipe, lable: EPHEMERAL }] }\n'),
      'expect.events[0].lable',
      /label/,
    );
  });
  it('a final state no node can be in is an error', () => {
    expectProblem(ok('expect: { finalStates: { cp1: runing } }\n'), 'expect.finalStates.cp1', /running/);
  });
  it('a good expect block still loads', () => {
    const s = parseScenario(
      ok(
        'expect: { finalStates: { cp1: running }, events: [{ type: disk.wipe, label: EPHEMERAL, node: cp1 }] }\n',
      ),
      'a.yaml',
    );
    expect(s.expect?.events[0]?.fields).toEqual({ label: 'EPHEMERAL', node: 'cp1' });
  });
});

describe('settings that do nothing are refused (item 6)', () => {
  it('a fault after faultsUntil', () => {
    expectProblem(
      ok(
        'liveness: { faultsUntil: 60m }\nfaults:\n  - { at: 70m, type: powerLoss, node: cp1, duration: 1m }\n',
      ),
      'faults[0].at',
      /faultsUntil/,
    );
  });
  it('random.from after faultsUntil', () => {
    expectProblem(
      ok(
        'liveness: { faultsUntil: 60m }\nrandom: { from: 61m, powerLoss: { ratePerNodeHour: 1, duration: 1m } }\n',
      ),
      'random.from',
      /faultsUntil/,
    );
  });
  it('a failedBoot for a version nobody installs', () => {
    expectProblem(
      ok('faults:\n  - { type: failedBoot, node: cp1, version: v1.9.9 }\n'),
      'faults[0].version',
      /v1\.9\.9/,
    );
  });
  it('upgrade.to equal to the running version', () => {
    expectProblem(`name: t\n${CLUSTER}upgrade: { to: v1.7.6 }\n`, 'upgrade.to', /already runs/);
  });
  it('invariants: []', () => {
    expectProblem(ok('invariants: []\n'), 'invariants', /at least one/);
  });
  it('etcdRemoveMember via a worker, and etcdLeaveFails on a worker', () => {
    expectProblem(
      ok('faults:\n  - { at: 1m, type: etcdRemoveMember, node: cp2, via: w1 }\n'),
      'faults[0].via',
      /worker/,
    );
    expectProblem(
      ok('faults:\n  - { at: 1m, type: etcdLeaveFails, node: w1 }\n'),
      'faults[0].node',
      /worker/,
    );
  });
  it('unknown YAML tags', () => {
    expectProblem('name: !!js/function t\n' + CLUSTER, '', /tag/);
    expectProblem('name: t\ncluster: !custom { controlPlanes: 1, version: v1.7.6 }\n', '', /tag/);
  });
});

describe('no stack traces for user errors (item 7)', () => {
  it('a YAML alias bomb', () => {
    const bomb = [
      'name: t',
      'a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
      CLUSTER,
    ].join('\n');
    const ps = problemsOf(bomb);
    expect(ps.some((p) => /alias/.test(p.message) && p.line > 0)).toBe(true);
  });
  it('an alias to an undefined anchor', () => {
    const ps = problemsOf('name: t\ncluster: *nope\n');
    expect(ps.some((p) => /nope/.test(p.message) && p.line === 2)).toBe(true);
  });
  it('policy: { preset: fast }', () => {
    expectProblem(
      `name: t\n${CLUSTER}upgrade: { to: v1.8.0, policy: { preset: fast } }\n`,
      'upgrade.policy.preset',
      /talosctl/,
    );
  });
  it('nesting deep enough to overflow the stack', () => {
    const ps = problemsOf(`name: t\ncluster: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
    expect(ps[0]!.message).toMatch(/nest/);
    expect(ps[0]!.line).toBe(2);
    expect(ps[0]!.message).not.toMatch(/Maximum call stack/);
  });
});

describe('other inputs (item 11)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upgradelab-hostile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a file over the size cap is refused without parsing it', () => {
    const f = join(dir, 'big.yaml');
    writeFileSync(f, ok() + `# ${'x'.repeat(MAX_SCENARIO_BYTES)}\n`);
    expect(() => loadScenarioFile(f)).toThrow(/larger than/);
  });
  it('a device, a directory or a FIFO is refused as not a regular file', () => {
    expect(() => loadScenarioFile('/dev/zero')).toThrow(ScenarioError);
    expect(() => loadScenarioFile('/dev/zero')).toThrow(/not a regular file/);
    expect(() => loadScenarioFile(dir)).toThrow(/not a regular file/);
  });
  it('a trace file given as a scenario says what it is', () => {
    const f = join(dir, 't.jsonl');
    writeFileSync(f, '{"kind":"header","format":"upgradelab-trace","version":1}\n{"kind":"event"}\n');
    expect(() => loadScenarioFile(f)).toThrow(/trace/);
  });
  it('the path spelling does not change the scenario', () => {
    const f = join(dir, 'x.yaml');
    writeFileSync(f, ok());
    expect(loadScenarioFile(join(dir, '.', 'x.yaml')).file).toBe(loadScenarioFile(f).file);
  });
});

// The command line as a user meets it: exit codes, messages for bad input, how to reproduce a failure,
// and a readable partial trace when a run crashes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { enqueueActions } from 'xstate';
import { nodeMachine } from '../../models/node.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';
import { simulate } from '../../sim/simulate.js';
import { readTraceFile } from '../../sim/trace/reader.js';
import { fileSink } from '../../sim/trace/writer.js';

const CLI = join(process.cwd(), 'dist/sim/cli/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'upgradelab-cli-'));
// Each run leaves traces of several MB here; remove them (issue 11 item 12).
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('upgradelab CLI', () => {
  it('run on a clean scenario exits 0, prints the verdicts and writes a valid trace', () => {
    const out = join(tmp, 'default.jsonl');
    const r = cli('run', 'scenarios/default.yaml', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ok {3}quorum/);
    expect(r.out).toMatch(/result: PASS/);
    const t = readTraceFile(out);
    expect(t.partial).toBe(false);
    expect(t.hashOk).toBe(true);
    expect(cli('check-trace', out).code).toBe(0);
  });

  it('a violation exits 1 and prints the command that reproduces it', () => {
    const f = join(tmp, 'naive.yaml');
    writeFileSync(
      f,
      'name: naive\ncluster: { controlPlanes: 3, version: v1.7.6 }\nupgrade: { to: v1.8.0, at: 5m, policy: naive }\n',
    );
    const r = cli('run', f, '--seed', '9');
    expect(r.code).toBe(1);
    // The upgrade mutex refuses the overlapping requests (F§3), so the naive rollout halts half-done.
    expect(r.out).toMatch(/FAIL convergence/);
    expect(r.out).toContain(`reproduce: upgradelab run ${f} --seed 9`);
  });

  it('a scenario whose expect block is met exits 0 even though invariants are violated', () => {
    const r = cli('run', 'scenarios/power-loss-costs-quorum.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/met\s+quorum is violated/);
  });

  it('a bad scenario exits 2 naming file, line and field, with no stack trace, and runs nothing', () => {
    const f = join(tmp, 'bad.yaml');
    writeFileSync(f, 'name: broken\ncluster:\n  controlPlanes: -3\n');
    const out = join(tmp, 'bad.jsonl');
    const r = cli('run', f, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}:3:18: field 'cluster.controlPlanes'`);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(() => readFileSync(out)).toThrow();
  });

  it('a missing file and a bad trace are clear errors (exit 2)', () => {
    expect(cli('run', join(tmp, 'nope.yaml')).code).toBe(2);
    const bad = join(tmp, 'bad-trace.jsonl');
    writeFileSync(bad, '{"hello": 1}\n');
    const r = cli('check-trace', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad-trace\.jsonl:1: /);
  });

  it('validate accepts every bundled scenario', () => {
    const r = cli(
      'validate',
      'scenarios/default.yaml',
      'scenarios/power-loss-costs-quorum.yaml',
      'scenarios/failed-boot-rollback.yaml',
    );
    expect(r.code).toBe(0);
    expect(r.out.match(/: ok/g)?.length).toBe(3);
    // Each line says which Talos rules apply in words, never a bare `null` (no profile override).
    expect(r.out).not.toMatch(/\bnull\b/);
    expect(r.out).toContain(
      'scenarios/default.yaml: ok (rolling-upgrade-3cp-2w: 5 nodes, Talos rules by version',
    );
  });

  it('export writes Chrome Trace Event JSON', () => {
    const out = join(tmp, 'e.jsonl');
    cli('run', 'scenarios/failed-boot-rollback.yaml', '--out', out);
    const r = cli('export', out, '--out', join(tmp, 'e.chrome.json'));
    expect(r.code).toBe(0);
    const chrome = JSON.parse(readFileSync(join(tmp, 'e.chrome.json'), 'utf8')) as {
      traceEvents: { name: string }[];
    };
    expect(chrome.traceEvents.some((e) => e.name === 'thread_name')).toBe(true);
  });

  it('a crash mid-run leaves a readable partial trace', () => {
    // A model that throws (a simulator bug) once the upgrade reaches the installer.
    const crashing = nodeMachine.provide({
      actions: {
        beginInstall: enqueueActions(() => {
          throw new Error('injected simulator bug');
        }),
      },
    });
    const out = join(tmp, 'crash.jsonl');
    expect(() =>
      simulate(loadScenarioFile('scenarios/default.yaml'), { sink: fileSink(out), nodeMachine: crashing }),
    ).toThrow(/injected simulator bug/);
    const t = readTraceFile(out);
    expect(t.partial).toBe(true);
    expect(t.footer).toBeNull();
    // The cluster formed and the upgrade began before the crash (~80 lines, writes batched).
    expect(t.events.length).toBeGreaterThan(50);
    expect(t.events.some((e) => e.type === 'etcd.commit')).toBe(true);
    expect(t.events.some((e) => e.type === 'upgrade.step')).toBe(true);
  });
});

describe('README', () => {
  it('the scenario example in README.md validates', () => {
    const readme = readFileSync('README.md', 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml).toBeDefined();
    const f = join(tmp, 'readme.yaml');
    writeFileSync(f, yaml!);
    const r = cli('validate', f);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('names the two set-up commands', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});

// `upgradelab shrink`: a failing scenario with decoy faults shrinks to the one fault that breaks quorum,
// the written file keeps the rest of the scenario, and `upgradelab run` on it shows the same violation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/load.js';
import { faultEntries, shrinkScenario } from '../../sim/testing/shrink.js';

const CLI = join(process.cwd(), 'dist/sim/cli/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'upgradelab-shrink-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The quorum loss comes from cp2 losing power while cp1 reboots into the new version; the worker
// faults and the late isolation are decoys that change nothing.
const FAILING = `# a comment that must survive
name: shrink-me
seed: 1
duration: 2h
profile: talos-1.8
cluster: { controlPlanes: 3, workers: 2, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 5m, policy: talosctl }
workload: { etcdWritesPerSecond: 1 }
invariants: [quorum, bootable]
faults:
  - { at: 5m30s, type: powerLoss, node: w1, duration: 2m }
  - { at: 6m40s, type: powerLoss, node: cp2, duration: 3m }
  - { at: 7m, type: partition, isolate: w2, duration: 4m }
  - { at: 50m, type: powerLoss, node: w2, duration: 1m }
`;

describe('shrink', () => {
  it('keeps only the fault that breaks the invariant, shorter, and the rest of the file', () => {
    const r = shrinkScenario(FAILING, 'shrink-me.yaml');
    expect(r.original.faults).toBe(4);
    expect(r.shrunk.faults).toBe(1);
    const [only] = faultEntries(r.text);
    expect(only).toMatchObject({ type: 'powerLoss', node: 'cp2' });
    expect(r.shrunk.violation.invariant).toBe('quorum');
    expect(r.text).toMatch(/# a comment that must survive/);
    expect(parseScenario(r.text, 'x.yaml').cluster.nodes).toHaveLength(5);
    expect(r.exhausted).toBe(false);
  });

  it('refuses a scenario that violates nothing', () => {
    expect(() => shrinkScenario(FAILING.replace(/faults:[\s\S]*$/, 'faults: []\n'), 'clean.yaml')).toThrow(
      /violates no invariant/,
    );
  });

  it('the CLI writes a file that `upgradelab run` reproduces: same violation at the same time', () => {
    const file = join(tmp, 'failing.yaml');
    const out = join(tmp, 'out', 'shrunk.yaml');
    writeFileSync(file, FAILING);
    const s = spawnSync(process.execPath, [CLI, 'shrink', file, '--out', out], { encoding: 'utf8' });
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/quorum still fails with 1 of 4 faults/);
    expect(s.stderr).toMatch(/^shrink: 1 runs/m);
    const shrunk = readFileSync(out, 'utf8');
    const header = /# violation: quorum at \S+ \((\d+) ms\): (.*)/.exec(shrunk)!;
    const run = spawnSync(process.execPath, [CLI, 'run', out, '--json'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    const json = JSON.parse(run.stdout) as {
      violations: { invariant: string; t: number; message: string }[];
    };
    const q = json.violations.find((v) => v.invariant === 'quorum')!;
    expect(q.t).toBe(Number(header[1]));
    expect(q.message.replace(/\s+/g, ' ')).toBe(header[2]);
  });

  it('the CLI gives a clean scenario exit 2 with a sentence, and a bad --max-runs too', () => {
    const clean = join(tmp, 'clean.yaml');
    writeFileSync(clean, FAILING.replace(/faults:[\s\S]*$/, 'faults: []\n'));
    const a = spawnSync(process.execPath, [CLI, 'shrink', clean], { encoding: 'utf8' });
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/violates no invariant: there is nothing to shrink/);
    expect(a.stderr).not.toMatch(/ {4}at /);
    const b = spawnSync(process.execPath, [CLI, 'shrink', clean, '--max-runs', '0'], { encoding: 'utf8' });
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--max-runs/);
  });
});

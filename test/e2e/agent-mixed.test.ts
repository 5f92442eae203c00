// A mixed run (issue 10, "Runs with real nodes"): three attached control planes (agents with real etcd,
// started by the lab helper) and two simulated workers, upgraded by `upgradelab run FILE` on wall-clock
// time. Asserted: every node Ready on the target (the attached ones over gRPC, the simulated ones whose
// kubelets waited on the real etcd, F§2), quorum held and no acknowledged write lost, both read from the real
// etcd; the trace says deterministic: false, checks out, and holds both kinds of node; and no process is
// left afterwards, even when the test fails.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labAttachText, type LabFile } from '../../sim/remote/agent/lab-cluster.js';
import { readTraceFile } from '../../sim/trace/reader.js';
import { buildModel } from '../../viz/src/model/build.js';
import { CLI, realNodeFolder, startLab, TEARDOWN_MS } from '../helpers/lab.js';

/** Model ms per wall ms, the agents' and the run's: a 45-90 s boot takes about a second. */
const SPEED = 60;
const folder = realNodeFolder('upgradelab-mixed-');
const root = folder.root;
/** The lab of the first test, reused by the canary (starting agents costs seconds). */
let shared: LabFile | null = null;

function scenarioText(lab: LabFile, from: string, to: string, policy: string, duration = '2h'): string {
  return [
    `name: mixed-${policy.replace(/\W+/g, '-')}`,
    `duration: ${duration}`,
    'cluster:',
    '  controlPlanes: 3',
    '  workers: 2',
    `  version: ${from}`,
    labAttachText(lab).nodesBlock,
    `upgrade: { to: ${to}, at: 2m, policy: ${policy} }`,
    'workload: { etcdWritesPerSecond: 10 }',
    '',
  ].join('\n');
}

afterAll(() => folder.teardown(), TEARDOWN_MS);

function runCli(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('a mixed run: three attached control planes and simulated workers', () => {
  it('upgradelab run converges: every node on the target, quorum held, no write lost', async () => {
    const t0 = Date.now();
    const { lab, api } = await startLab(root, { version: 'v1.8.0', speed: SPEED });
    api.close();
    shared = lab;
    const file = join(root, 'mixed.yaml');
    writeFileSync(file, scenarioText(lab, 'v1.8.0', 'v1.9.0', 'talosctl'));
    const trace = join(root, 'mixed.jsonl');
    const r = await runCli(['run', file, '--speed', String(SPEED), '--out', trace, '--json'], 150_000);
    const report = `exit ${r.code}\n${r.out.slice(-4000)}\n${r.err.slice(-2000)}`;
    expect(r.code, report).toBe(0);
    const json = JSON.parse(r.out.slice(r.out.indexOf('{'))) as {
      stop: string;
      ok: boolean;
      deterministic: boolean;
      violations: unknown[];
      verdicts: { invariant: string; ok: boolean }[];
      notEvaluated: string[];
      metrics: { writesAcknowledged: number; writesLost: number; nodesOnTarget: number };
      final: { versions: Record<string, string | null> };
      orchestrator: { halted: boolean; outcomes: Record<string, string> };
    };
    expect(json.ok, report).toBe(true);
    expect(json.stop).toBe('converged');
    expect(json.deterministic).toBe(false);
    expect(json.orchestrator.halted).toBe(false);
    expect(json.final.versions).toEqual({
      cp1: 'v1.9.0',
      cp2: 'v1.9.0',
      cp3: 'v1.9.0',
      w1: 'v1.9.0',
      w2: 'v1.9.0',
    });
    expect(json.violations).toEqual([]);
    // Every invariant of a simulated run is evaluated, the slot ones for the attached nodes too (Lab.SlotState
    // read from the agents' folders, their event streams).
    expect(json.verdicts.map((v) => [v.invariant, v.ok]).sort()).toEqual(
      [
        ['bootable', true],
        ['convergence', true],
        ['durability', true],
        ['quorum', true],
        ['rollback', true],
        ['single-upgrader', true],
        ['version-skew', true],
      ].sort(),
    );
    expect(json.notEvaluated).toEqual([]);
    expect(json.metrics.writesAcknowledged).toBeGreaterThan(20);
    expect(json.metrics.writesLost).toBe(0);

    // The trace: marked non-deterministic, well formed, attached and simulated nodes both in it.
    const t = readTraceFile(trace);
    expect(t.problems).toEqual([]);
    expect(t.partial).toBe(false);
    expect(t.hashOk).toBe(true);
    expect(t.header.deterministic).toBe(false);
    expect(t.header.nodes.map((n) => [n.name, n.attached])).toEqual([
      ['cp1', true],
      ['cp2', true],
      ['cp3', true],
      ['w1', false],
      ['w2', false],
    ]);
    const readyOn = (node: string) =>
      t.events.some((e) => e.type === 'node.ready' && e.node === node && e.version === 'v1.9.0');
    for (const n of ['cp1', 'cp2', 'cp3', 'w1', 'w2']) expect(readyOn(n), n).toBe(true);
    expect(t.events.some((e) => e.type === 'etcd.commit' && e.ok)).toBe(true);
    // The viewer builds its model from it (what `upgradelab viz` shows).
    const viz = buildModel(readFileSync(trace, 'utf8'), 'mixed.jsonl');
    expect(viz.ok, viz.ok ? '' : JSON.stringify(viz.error)).toBe(true);
    process.stdout.write(
      `mixed run (3 real control planes, 2 simulated workers): ${((Date.now() - t0) / 1000).toFixed(1)} s wall ` +
        `in all, ${json.metrics.writesAcknowledged} real writes acknowledged, 0 lost\n`,
    );
  }, 240_000);

  // The canary: the checkers read real etcd, so a policy that reboots every control plane at once (no
  // health gate, force skips the upgrade mutex) must be caught losing quorum and upgrading in parallel; and
  // bootable reads the agents' disks, so cp3 with both BOOT slots deleted under its running model must be
  // caught too (its upgrade then writes a new slot and it boots that).
  it('canary: every control plane at once and a broken disk are caught (quorum, single-upgrader, bootable)', async () => {
    expect(shared, 'the first test started the lab').not.toBeNull();
    for (const slot of ['A', 'B'])
      rmSync(join(root, 'cp3', 'disk', 'BOOT', slot), { recursive: true, force: true });
    const file = join(root, 'canary.yaml');
    writeFileSync(file, scenarioText(shared!, 'v1.9.0', 'v1.10.0', '{ preset: naive, force: true }', '30m'));
    const r = await runCli(['run', file, '--speed', String(SPEED), '--json'], 150_000);
    const report = `exit ${r.code}\n${r.out.slice(-4000)}\n${r.err.slice(-2000)}`;
    expect(r.code, report).toBe(1);
    const json = JSON.parse(r.out.slice(r.out.indexOf('{'))) as {
      verdicts: { invariant: string; ok: boolean }[];
      violations: { invariant: string; nodes: string[]; message: string }[];
    };
    const failed = json.verdicts.filter((v) => !v.ok).map((v) => v.invariant);
    expect(failed, report).toEqual(expect.arrayContaining(['quorum', 'single-upgrader', 'bootable']));
    const bootable = json.violations.find((v) => v.invariant === 'bootable');
    expect(bootable?.nodes).toEqual(['cp3']);
    expect(bootable?.message).toMatch(/A=empty B=empty, as its disk reads/);
  }, 200_000);
});

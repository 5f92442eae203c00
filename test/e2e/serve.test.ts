// `upgradelab serve` as an external controller meets it: a separate process serves a simulated cluster,
// and this process drives a rolling upgrade through the gRPC client with the talosctl-like policy.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../sim/orchestrator/orchestrator.js';
import { GrpcNodeApi } from '../../sim/remote/client.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';
import { allReady, ask, waitFor } from '../unit/remote/harness.js';

const CLI = join(process.cwd(), 'dist/sim/cli/main.js');
const SPEED = 300;
let child: ChildProcess | null = null;

afterAll(() => {
  // Never leave the server behind, whatever the test did.
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

function startServe(file: string): Promise<{ address: string; out: string[] }> {
  child = spawn(process.execPath, [CLI, 'serve', file, '--speed', String(SPEED), '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out.join('')}`)), 30_000);
    child!.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    child!.stdout!.on('data', (d: Buffer) => {
      out.push(d.toString());
      const m = /listening (\S+)/.exec(out.join(''));
      if (m) {
        clearTimeout(timer);
        resolve({ address: m[1]!, out });
      }
    });
    child!.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out.join('')}`)));
  });
}

describe('upgradelab serve', () => {
  it('an external client drives a rolling upgrade of the served cluster', async () => {
    const file = 'scenarios/default.yaml';
    const s = loadScenarioFile(file);
    const { address, out } = await startServe(file);
    expect(out.join('')).toMatch(/attach: 127\.0\.0\.1:\d+/);
    const api = new GrpcNodeApi({
      targets: s.cluster.nodes.map((n) => ({ name: n.name, address })),
      speed: SPEED,
      callTimeoutMs: 10_000,
    });
    try {
      await waitFor('cluster Ready on v1.7.6', () => allReady(api, 'v1.7.6'), 30_000);
      const steps: string[] = [];
      const orch = new Orchestrator(api, 'v1.8.0', s.upgrade!.policy, s.cluster.nodes, (step, node, detail) =>
        steps.push(`${step} ${node ?? ''} ${detail ?? ''}`),
      );
      orch.start();
      await waitFor('the upgrade to finish', async () => orch.finished, 90_000);
      expect(orch.report().halted, steps.join('\n')).toBe(false);
      expect(await allReady(api, 'v1.8.0')).toBe(true);
      const v = await ask<string>((r) => api.version('cp2', r));
      expect(v).toEqual({ ok: true, value: 'v1.8.0' });
    } finally {
      api.close();
      child!.kill('SIGTERM');
      await new Promise((r) => (child!.exitCode !== null ? r(null) : child!.once('exit', r)));
    }
    expect(child!.exitCode).toBe(0);
  }, 150_000);
});

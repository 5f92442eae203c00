// Determinism is the product: same scenario + seed => byte-identical trace, in one process and across
// processes; different seeds => different timings where the scenario has randomness.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadScenarioFile } from '../../../sim/scenario/load.js';
import { simulate } from '../../../sim/simulate.js';
import { readTraceText } from '../../../sim/trace/reader.js';

const CLI = join(process.cwd(), 'dist/sim/cli/main.js');
const RANDOM = `name: random-faults
seed: 5
duration: 90m
cluster: { controlPlanes: 3, workers: 2, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 5m, policy: talosctl }
random:
  powerLoss: { ratePerNodeHour: 1, duration: 30s..3m }
  isolate: { ratePerNodeHour: 1, duration: 10s..1m }
  maxConcurrent: 1
`;

describe('determinism', () => {
  it('same scenario and seed give a byte-identical trace in one process', () => {
    const s = loadScenarioFile('scenarios/default.yaml');
    const a = simulate(s, { seed: 7 });
    const b = simulate(s, { seed: 7 });
    expect(a.trace).toBe(b.trace);
    expect(a.footer.hash).toBe(b.footer.hash);
    expect(readTraceText(a.trace!).hashOk).toBe(true);
  });

  it('same scenario and seed give a byte-identical trace across two processes (and match in-process)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'upgradelab-det-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true })); // issue 11 item 12: leave nothing behind
    const run = (out: string) =>
      execFileSync(
        process.execPath,
        [CLI, 'run', 'scenarios/power-loss-costs-quorum.yaml', '--seed', '7', '--out', out],
        {
          encoding: 'utf8',
        },
      );
    run(join(dir, 'a.jsonl'));
    run(join(dir, 'b.jsonl'));
    const a = readFileSync(join(dir, 'a.jsonl'));
    const b = readFileSync(join(dir, 'b.jsonl'));
    expect(a.equals(b)).toBe(true);
    const inProcess = simulate(loadScenarioFile('scenarios/power-loss-costs-quorum.yaml'), { seed: 7 });
    expect(inProcess.trace).toBe(a.toString('utf8'));
  });

  it('random faults are reproducible from the seed', async () => {
    const { parseScenario } = await import('../../../sim/scenario/load.js');
    const s = parseScenario(RANDOM, 'random.yaml');
    expect(simulate(s).trace).toBe(simulate(s).trace);
  });

  it('different seeds give different timings', () => {
    const s = loadScenarioFile('scenarios/default.yaml');
    const a = simulate(s, { seed: 1 });
    const b = simulate(s, { seed: 2 });
    expect(a.trace).not.toBe(b.trace);
    expect(a.metrics.upgradeDurationMs).not.toBe(b.metrics.upgradeDurationMs);
    // The first node-ready instant differs too: boot stage delays come from the seed.
    const firstReady = (t: string) => t.split('\n').find((l) => l.includes('"node.ready"'));
    expect(firstReady(a.trace!)).not.toBe(firstReady(b.trace!));
  });

  it('string and integer seeds are both accepted and distinct', () => {
    const s = loadScenarioFile('scenarios/default.yaml');
    expect(simulate(s, { seed: '7' }).trace).toBe(simulate(s, { seed: '7' }).trace);
    expect(simulate(s, { seed: 'seven' }).footer.hash).not.toBe(simulate(s, { seed: 7 }).footer.hash);
  });
});

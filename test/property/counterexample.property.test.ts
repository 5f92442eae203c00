// From a failing property to a scenario file that `upgradelab run` reproduces exactly. The policy under
// test is talosctl-like with the health gate off and two nodes at once (with `force`, else the upgrade
// mutex of the pre-checks would refuse the second request, F§3), on 5 control planes running 1.8 (no etcd
// leave): with no
// fault it keeps quorum (two of five down still leaves three), and one fault during the rollout takes a
// third voter out. The property must find that, shrink it to exactly one fault, and write a file whose
// CLI run shows the same violation at the same simulated time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/load.js';
import { checkScenario } from '../../sim/testing/property.js';
import { faultSchedule } from '../../sim/testing/fault-schedule.js';
import { firstViolation, runScenarioText, scenarioText } from '../../sim/testing/counterexample.js';

const CLI = join(process.cwd(), 'dist/sim/cli/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'upgradelab-kit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BASE = `name: kit-health-gate-off
seed: 1
duration: 80m
liveness: { faultsUntil: 60m, bound: 20m }
bootloader: talos
cluster: { controlPlanes: 5, workers: 0, version: v1.8.0 }
upgrade: { to: v1.9.0, at: 5m, policy: { preset: talosctl, healthGate: false, parallel: 2, force: true } }
workload: { etcdWritesPerSecond: 1 }
invariants: [quorum]
checkpointEvery: 80m
`;
const CPS = ['cp1', 'cp2', 'cp3', 'cp4', 'cp5'];
const arb = faultSchedule({
  nodes: CPS,
  controlPlanes: CPS,
  kinds: ['powerLoss', 'isolate'],
  fromMs: 5 * 60_000,
  untilMs: 40 * 60_000,
  maxFaults: 4,
  maxGapMs: 3 * 60_000,
}).map((faults) => ({ faults }));

describe('counterexample to file', () => {
  it('the policy under test is clean without faults', () => {
    const r = runScenarioText(scenarioText(BASE, { faults: [] }), 'kit.yaml');
    expect(firstViolation(r, ['quorum'])).toBeNull();
  });

  it('is found, shrunk to the one fault that breaks it, and reproduced by `upgradelab run`', () => {
    const result = checkScenario(BASE, arb, ['quorum'], { seed: 42, numRuns: 200, fileName: 'shrunk.yaml' });
    expect(result.failed).toBe(true);
    expect(result.shrunk!.faults).toHaveLength(1);
    const file = join(tmp, 'shrunk.yaml');
    writeFileSync(file, result.counterexampleFile!);
    // The file is a plain scenario: it loads, and its header says how it was found.
    expect(parseScenario(result.counterexampleFile!, file).faults).toHaveLength(1);
    expect(result.counterexampleFile!).toMatch(/^# Counterexample found by fast-check/);
    expect(result.counterexampleFile!).toMatch(/# violation: quorum at /);

    const run = spawnSync(process.execPath, [CLI, 'run', file, '--json'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    const json = JSON.parse(run.stdout) as {
      violations: { invariant: string; t: number; message: string }[];
    };
    const first = json.violations.find((v) => v.invariant === 'quorum')!;
    expect(first.t).toBe(result.violation!.t);
    expect(first.message).toBe(result.violation!.message);
  });

  it('a schedule that cannot break the policy is not reported (the checker is not trigger-happy)', () => {
    // Faults only after the rollout has ended (the upgrade takes ~12 min from 5m): one node down of five.
    const late = faultSchedule({
      nodes: CPS,
      controlPlanes: CPS,
      kinds: ['powerLoss'],
      fromMs: 45 * 60_000,
      untilMs: 55 * 60_000,
      maxFaults: 2,
    }).map((faults) => ({ faults }));
    const result = checkScenario(BASE, late, ['quorum'], { seed: 42, numRuns: 15 });
    expect(result.failed).toBe(false);
  });
});

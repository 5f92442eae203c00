// The trace-less mode (simulate({ trace: false }), what sweeps run) must give the same verdicts, metrics,
// final facts and footer counts as a traced run: it only skips serialising and hashing (issue 8). Checked
// over the whole regression library (every fault kind, F§5) and over random seeds of the default scenario
// and of a random-fault scenario.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario } from '../../../sim/scenario/load.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import { simulate, type SimulateResult } from '../../../sim/simulate.js';
import { Rng } from '../../../sim/engine/rng.js';

/** Everything a run reports except the trace itself and its hash. */
function outcome(r: SimulateResult) {
  return {
    stop: r.stop,
    violations: r.violations,
    verdicts: r.verdicts,
    metrics: r.metrics,
    orchestrator: r.orchestrator,
    final: r.final,
    counts: r.footer.counts,
    t: r.footer.t,
  };
}

function compare(s: Scenario, seed: number | string): void {
  const traced = simulate(s, { seed });
  const bare = simulate(s, { seed, trace: false });
  expect(bare.trace).toBeNull();
  expect(bare.footer.hash).toBe('');
  expect(traced.footer.hash).toMatch(/^[0-9a-f]{64}$/);
  expect(outcome(bare), `${s.file} seed ${seed}`).toEqual(outcome(traced));
}

const RANDOM_FAULTS = `name: traceless-random
seed: 1
duration: 2h
cluster: { controlPlanes: 3, workers: 2, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 5m, policy: talosctl }
random:
  powerLoss: { ratePerNodeHour: 0.6, duration: 30s..3m }
  isolate: { ratePerNodeHour: 0.4, duration: 10s..1m }
  maxConcurrent: 1
`;

describe('trace-less mode', () => {
  it.each(readdirSync('scenarios/regression').filter((f) => f.endsWith('.yaml')))(
    'equals a traced run: regression/%s',
    (f) => compare(loadScenarioFile(`scenarios/regression/${f}`), 1),
  );

  it('equals a traced run on random seeds of the default scenario and a random-fault scenario', () => {
    const seeds = new Rng('traceless-test').stream('seeds');
    const def = loadScenarioFile('scenarios/default.yaml');
    const rnd = parseScenario(RANDOM_FAULTS, 'traceless-random.yaml');
    for (let i = 0; i < 3; i++) {
      compare(def, seeds.int(1, 1_000_000));
      compare(rnd, seeds.int(1, 1_000_000));
    }
  });

  it('still shows events to onEvent watchers (expectations work without a trace)', () => {
    const s = loadScenarioFile('scenarios/default.yaml');
    const types: string[] = [];
    const r = simulate(s, { trace: false, onEvent: (e) => types.push(e.type) });
    expect(types.length).toBe(Object.values(r.footer.counts).reduce((a, b) => a + b, 0));
    expect(types).toContain('etcd.leader');
  });
});

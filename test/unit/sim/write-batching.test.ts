// Workload write batching (issue 8): the write ticks between two events are one `etcd.commit` line and
// one append to the etcd model (workload.trace: batch, the default), or one `etcd.write` line and one
// scheduler event each (workload.trace: each). Everything a run reports except its trace and its event
// count must be the same in both modes: writes attempted, acknowledged and lost, verdicts, violations with
// their times and nodes, the upgrade's time, the final facts. Checked over the whole regression library
// and random seeds of the default and the exploratory scenarios.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../sim/engine/rng.js';
import { loadScenarioFile } from '../../../sim/scenario/load.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import { simulate, type SimulateResult } from '../../../sim/simulate.js';
import type { TraceEvent } from '../../../sim/trace/types.js';

function outcome(r: SimulateResult) {
  const { events: _events, ...metrics } = r.metrics;
  return {
    stop: r.stop,
    violations: r.violations,
    verdicts: r.verdicts,
    metrics,
    orchestrator: r.orchestrator,
    final: r.final,
    t: r.footer.t,
  };
}

function withTrace(s: Scenario, trace: 'batch' | 'each'): Scenario {
  return { ...s, workload: { ...s.workload, trace } };
}

/** Runs both modes; returns the writes each mode's trace lines account for. */
function compare(s: Scenario, seed: number | string): { each: number; batch: number } {
  const lines = { each: 0, batch: 0 };
  const writes = { each: 0, batch: 0 };
  const run = (mode: 'batch' | 'each') =>
    simulate(withTrace(s, mode), {
      seed,
      trace: false,
      onEvent: (e: TraceEvent) => {
        if (e.type === 'etcd.write') {
          lines[mode]++;
          writes[mode]++;
        }
        if (e.type === 'etcd.commit') {
          lines[mode]++;
          writes[mode] += e.writes;
        }
      },
    });
  const each = run('each');
  const batch = run('batch');
  const where = `${s.file} seed ${seed}`;
  expect(outcome(batch), where).toEqual(outcome(each));
  // Every write shows in both traces, and batching is what makes the trace (and the run) small.
  expect(writes.batch, where).toBe(each.metrics.writesAttempted);
  expect(writes.each, where).toBe(each.metrics.writesAttempted);
  if (each.metrics.writesAttempted > 100) {
    expect(lines.batch, where).toBeLessThan(lines.each / 10);
    expect(batch.metrics.events, where).toBeLessThan(each.metrics.events / 5);
  }
  return writes;
}

describe('workload write batching', () => {
  it.each(readdirSync('scenarios/regression').filter((f) => f.endsWith('.yaml')))(
    'gives the results of per-write events: regression/%s',
    (f) => {
      compare(loadScenarioFile(`scenarios/regression/${f}`), 1);
    },
  );

  it('gives the results of per-write events on random seeds of the default and exploratory scenarios', () => {
    const seeds = new Rng('write-batching-test').stream('seeds');
    const files = [
      'scenarios/default.yaml',
      ...readdirSync('scenarios/exploratory')
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => `scenarios/exploratory/${f}`),
    ];
    for (const f of files) {
      const s = loadScenarioFile(f);
      compare(s, seeds.int(1, 1_000_000));
      compare(s, seeds.int(1, 1_000_000));
    }
  }, 120_000);

  it('acknowledges every write of a batch or none (the failed ones count as attempted only)', () => {
    const s = loadScenarioFile('scenarios/power-loss-costs-quorum.yaml');
    const commits: Extract<TraceEvent, { type: 'etcd.commit' }>[] = [];
    const r = simulate(s, {
      trace: false,
      onEvent: (e) => {
        if (e.type === 'etcd.commit') commits.push(e);
      },
    });
    const failed = commits.filter((c) => !c.ok);
    expect(failed.length).toBeGreaterThan(0);
    let nextId = 1;
    let acked = 0;
    for (const c of commits) {
      expect(c.firstId).toBe(nextId);
      nextId += c.writes;
      expect(c.fromMs).toBeLessThanOrEqual(c.t);
      if (c.ok) {
        acked += c.writes;
        expect(c.index! - c.fromIndex! + 1).toBe(c.writes);
      } else {
        expect(c.error).toBe('timeout');
        expect(c.index).toBeUndefined();
      }
    }
    expect(nextId - 1).toBe(r.metrics.writesAttempted);
    expect(acked).toBe(r.metrics.writesAcknowledged);
  });
});

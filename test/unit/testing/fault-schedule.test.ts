// The fault-schedule arbitrary: every draw is a valid `faults:` list of a scenario file, it keeps its
// limits (window, concurrency, budget, targets), and a fixed seed keeps generating the same schedules
// (the no-regression pin, as fast-check does for its own arbitraries).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../../sim/engine/duration.js';
import { FAULT_KINDS } from '../../../sim/faults/index.js';
import { parseScenario } from '../../../sim/scenario/load.js';
import { faultSchedule, SCHEDULE_FAULT_KINDS, type FaultEntry } from '../../../sim/testing/fault-schedule.js';
import { scenarioText } from '../../../sim/testing/counterexample.js';

const BASE = `name: kit
duration: 80m
liveness: { faultsUntil: 60m, bound: 20m }
cluster: { controlPlanes: 3, workers: 2, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 5m, policy: talosctl }
`;
const NODES = ['cp1', 'cp2', 'cp3', 'w1', 'w2'];
const CPS = ['cp1', 'cp2', 'cp3'];
const all = {
  nodes: NODES,
  controlPlanes: CPS,
  kinds: SCHEDULE_FAULT_KINDS,
  fromMs: 5 * 60_000,
  untilMs: 60 * 60_000,
  maxConcurrent: 2,
  maxFaults: 6,
  failedBoot: { version: 'v1.8.0', stages: ['init', 'kernel', 'powercycle'] },
};

function spanOf(f: FaultEntry): [number, number] | null {
  const at = parseDurationMs(f.at as string);
  return typeof f.duration === 'string' ? [at, at + parseDurationMs(f.duration)] : null;
}

describe('faultSchedule', () => {
  it('every draw over every kind is a valid scenario faults list', () => {
    fc.assert(
      fc.property(faultSchedule(all), (faults) => {
        const s = parseScenario(scenarioText(BASE, { faults }), 'kit.yaml');
        expect(s.faults.length).toBe(faults.length);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('every registered fault kind is drawable (a new kind in sim/faults/ must be added to the kit)', () => {
    const drawn = new Set<string>();
    for (const faults of fc.sample(faultSchedule(all), { seed: 13, numRuns: 300 }))
      for (const f of faults) drawn.add(f.type as string);
    expect([...drawn].sort()).toEqual(FAULT_KINDS.map((k) => k.type).sort());
  });

  it('keeps the window, the budget, the targets and the concurrency limit', () => {
    fc.assert(
      fc.property(faultSchedule(all), (faults) => {
        expect(faults.length).toBeLessThanOrEqual(all.maxFaults);
        const spans: [number, number][] = [];
        for (const f of faults) {
          const at = parseDurationMs(f.at as string);
          expect(at).toBeGreaterThanOrEqual(all.fromMs);
          expect(at).toBeLessThanOrEqual(all.untilMs);
          if (f.type === 'etcdLeaveFails' || f.type === 'etcdRemoveMember') expect(CPS).toContain(f.node);
          const span = spanOf(f);
          if (span) {
            expect(span[1]).toBeLessThanOrEqual(all.untilMs);
            spans.push(span);
          }
        }
        // At no instant are more than maxConcurrent faults with a duration active.
        for (const [t] of spans) {
          const active = spans.filter(([a, b]) => a <= t && t < b).length;
          expect(active).toBeLessThanOrEqual(all.maxConcurrent);
        }
      }),
      { seed: 11, numRuns: 500 },
    );
  });

  it('with maxConcurrent 1 faults never overlap', () => {
    fc.assert(
      fc.property(faultSchedule({ ...all, maxConcurrent: 1 }), (faults) => {
        const spans = faults.map(spanOf).filter((s): s is [number, number] => s !== null);
        for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('shrinks towards fewer, earlier and shorter faults', () => {
    const arb = faultSchedule({ ...all, kinds: ['powerLoss'], maxConcurrent: 1 });
    // Any schedule with at least one fault fails; the minimal one is a single fault at the window start
    // with the shortest duration.
    const d = fc.check(
      fc.property(arb, (f) => f.length === 0),
      { seed: 3, numRuns: 100 },
    );
    expect(d.failed).toBe(true);
    expect(d.counterexample![0]).toEqual([{ at: '5m', type: 'powerLoss', node: 'cp1', duration: '10s' }]);
  });

  it('no regression: a fixed seed generates the same schedules', () => {
    const sample = fc.sample(faultSchedule(all), { seed: 20261129, numRuns: 3 });
    expect(sample).toMatchSnapshot();
  });

  it('refuses bad options with a message naming the function', () => {
    expect(() => faultSchedule({ ...all, nodes: [] })).toThrow(/faultSchedule: nodes/);
    expect(() => faultSchedule({ ...all, controlPlanes: ['cp9'] })).toThrow(
      /faultSchedule: every control plane/,
    );
    expect(() => faultSchedule({ ...all, maxConcurrent: 0 })).toThrow(/faultSchedule: maxConcurrent/);
    expect(() => faultSchedule({ ...all, failedBoot: undefined })).toThrow(/faultSchedule: failedBoot/);
    expect(() => faultSchedule({ ...all, untilMs: 1 })).toThrow(/faultSchedule: need 0 <= fromMs/);
  });
});

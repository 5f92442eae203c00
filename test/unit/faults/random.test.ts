// Random faults (sim/faults/random.ts): Poisson arrivals per node at the scenario's rate, from the
// `faults` stream, admitted only while fewer than `maxConcurrent` random faults take a node out, and only
// before `untilMs` (the liveness phase). Checked on a recording world against the same draws replayed on a
// second stream with the same seed, so the arrival times are exact. Found missing by mutation testing
// (issue 7).
import { describe, expect, it } from 'vitest';
import { Stream } from '../../../sim/engine/rng.js';
import { scheduleRandomFaults } from '../../../sim/faults/random.js';
import { faultWorld } from '../../helpers/fault-world.js';

const HOUR_MS = 3_600_000;

function starts(lines: Record<string, unknown>[]): [unknown, unknown, unknown][] {
  return lines.filter((l) => l.type === 'fault.start').map((l) => [l.t, l.fault, l.node]);
}

describe('scheduleRandomFaults', () => {
  it('arrivals per node at exponential gaps of mean 1 h / rate, up to untilMs, from `fromMs`', () => {
    const w = faultWorld(['cp1', 'cp2']);
    const stream = new Stream('faults', 11);
    const spec = {
      arrivals: [{ key: 'powerLoss', ratePerNodeHour: 4, params: { duration: { minMs: 1, maxMs: 1 } } }],
      maxConcurrent: 10,
      fromMs: 60_000,
    };
    const untilMs = 2 * HOUR_MS;
    scheduleRandomFaults(w.ctx, spec, stream, untilMs, null);
    w.run(3 * HOUR_MS);
    // The same draws in the same order: each node's first arrival is drawn at scheduling time, then each
    // arrival draws its power-loss duration (a span of 1 draws nothing) and the node's next arrival.
    const probe = new Stream('faults', 11);
    const meanMs = HOUR_MS / 4;
    const pending = ['cp1', 'cp2'].map((node) => ({ node, at: 60_000 + probe.exponentialMs(meanMs) }));
    const expected: [number, string, string][] = [];
    for (;;) {
      pending.sort((a, b) => a.at - b.at || (a.node < b.node ? -1 : 1));
      const next = pending[0]!;
      if (next.at >= untilMs) {
        pending.shift();
        if (pending.length === 0) break;
        continue;
      }
      expected.push([next.at, 'powerLoss', next.node]);
      next.at += probe.exponentialMs(meanMs);
    }
    expect(expected.length).toBeGreaterThan(4);
    expect(starts(w.lines)).toEqual(expected);
    expect(stream.draws).toBe(probe.draws);
  });

  it('an arrival that falls exactly at untilMs (the liveness phase) is not armed; one ms earlier is', () => {
    const first = new Stream('faults', 9).exponentialMs(HOUR_MS);
    const armed = (untilMs: number) => {
      const w = faultWorld(['cp1']);
      scheduleRandomFaults(
        w.ctx,
        {
          arrivals: [{ key: 'powerLoss', ratePerNodeHour: 1, params: { duration: { minMs: 1, maxMs: 1 } } }],
          maxConcurrent: 1,
          fromMs: 0,
        },
        new Stream('faults', 9),
        untilMs,
        null,
      );
      w.run(untilMs + 1);
      return starts(w.lines).map(([t]) => t);
    };
    expect(armed(first)).toEqual([]);
    expect(armed(first + 1)).toEqual([first]);
  });

  it('at most maxConcurrent random faults that take a node out; a refused arrival still draws the next', () => {
    const w = faultWorld(['cp1', 'cp2', 'cp3']);
    const stream = new Stream('faults', 5);
    scheduleRandomFaults(
      w.ctx,
      {
        arrivals: [
          { key: 'powerLoss', ratePerNodeHour: 60, params: { duration: { minMs: HOUR_MS, maxMs: HOUR_MS } } },
        ],
        maxConcurrent: 1,
        fromMs: 0,
      },
      stream,
      HOUR_MS / 2,
      null,
    );
    w.run(HOUR_MS);
    // Every fault lasts an hour, so only the first arrival is admitted; the others keep arriving (and
    // drawing) but are refused.
    expect(starts(w.lines)).toHaveLength(1);
    expect(stream.draws).toBeGreaterThan(10);
  });

  it('maxConcurrent 2 admits a second fault on another node while the first holds', () => {
    const w = faultWorld(['cp1', 'cp2', 'cp3']);
    scheduleRandomFaults(
      w.ctx,
      {
        arrivals: [
          { key: 'isolate', ratePerNodeHour: 60, params: { duration: { minMs: HOUR_MS, maxMs: HOUR_MS } } },
        ],
        maxConcurrent: 2,
        fromMs: 0,
      },
      new Stream('faults', 5),
      HOUR_MS / 2,
      null,
    );
    w.run(HOUR_MS);
    expect(starts(w.lines)).toHaveLength(2);
  });

  it('a zero rate arms nothing and draws nothing; arrivals start from now when `fromMs` is past', () => {
    const w = faultWorld(['cp1']);
    const stream = new Stream('faults', 1);
    scheduleRandomFaults(
      w.ctx,
      { arrivals: [{ key: 'powerLoss', ratePerNodeHour: 0, params: {} }], maxConcurrent: 1, fromMs: 0 },
      stream,
      HOUR_MS,
      null,
    );
    expect(stream.draws).toBe(0);
    expect(w.scheduler.pending).toBe(0);
    w.scheduler.advanceTo(HOUR_MS);
    const probe = new Stream('faults', 1);
    scheduleRandomFaults(
      w.ctx,
      {
        arrivals: [{ key: 'powerLoss', ratePerNodeHour: 1, params: { duration: { minMs: 5, maxMs: 5 } } }],
        maxConcurrent: 1,
        fromMs: 60_000,
      },
      stream,
      10 * HOUR_MS,
      null,
    );
    w.run(10 * HOUR_MS);
    expect(starts(w.lines)[0]).toEqual([HOUR_MS + probe.exponentialMs(HOUR_MS), 'powerLoss', 'cp1']);
  });

  it("random failedBoot arrivals fail the upgrade's target and do not count against maxConcurrent", () => {
    const w = faultWorld(['cp1', 'cp2']);
    scheduleRandomFaults(
      w.ctx,
      {
        arrivals: [{ key: 'failedBoot', ratePerNodeHour: 10, params: { stage: 'init' } }],
        maxConcurrent: 1,
        fromMs: 0,
      },
      new Stream('faults', 2),
      HOUR_MS,
      'v1.8.0',
    );
    w.run(HOUR_MS);
    expect(starts(w.lines).length).toBeGreaterThan(2);
    expect(w.calls[0]).toMatch(/injectBootFault "cp\d" \{"version":"v1.8.0","stage":"init","remaining":1\}/);
  });

  it('an arrival under a key no kind registered is a bug', () => {
    const w = faultWorld(['cp1']);
    expect(() =>
      scheduleRandomFaults(
        w.ctx,
        { arrivals: [{ key: 'meteor', ratePerNodeHour: 1, params: {} }], maxConcurrent: 1, fromMs: 0 },
        new Stream('faults', 1),
        HOUR_MS,
        null,
      ),
    ).toThrow("no random fault kind registered under 'meteor'");
  });
});

import { describe, it, expect } from 'vitest';
import { Scheduler } from '../../../sim/engine/scheduler.js';
import type { SchedulerLimits } from '../../../sim/engine/scheduler.js';

const UNBOUNDED: SchedulerLimits = { maxEvents: Number.MAX_SAFE_INTEGER, maxTimeMs: Number.MAX_SAFE_INTEGER };

/** Schedules a task that records `label` and the virtual time it ran at. */
function recorder(s: Scheduler): { log: string[]; at: (time: number, label: string) => void } {
  const log: string[] = [];
  return {
    log,
    at: (time, label) => {
      s.at(time, () => log.push(`${label}@${s.now}`));
    },
  };
}

describe('Scheduler ordering', () => {
  it('runs events in time order, and in scheduling order (FIFO) at equal times', () => {
    const s = new Scheduler();
    const r = recorder(s);
    r.at(10, 'a');
    r.at(5, 'b');
    r.at(10, 'c');
    r.at(0, 'd');
    r.at(5, 'e');
    r.at(10, 'f');
    expect(s.run(UNBOUNDED)).toBe('drained');
    expect(r.log).toEqual(['d@0', 'b@5', 'e@5', 'a@10', 'c@10', 'f@10']);
    expect(s.now).toBe(10);
    expect(s.eventsExecuted).toBe(6);
  });

  it('keeps (time, seq) order for many interleaved entries (heap stress)', () => {
    const s = new Scheduler();
    const ran: { time: number; seq: number }[] = [];
    // A fixed pseudo-random sequence of times with many collisions.
    let x = 7;
    for (let seq = 0; seq < 500; seq++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const time = x % 37;
      s.at(time, () => ran.push({ time, seq }));
    }
    s.run(UNBOUNDED);
    expect(ran).toHaveLength(500);
    const sorted = [...ran].sort((p, q) => p.time - q.time || p.seq - q.seq);
    expect(ran).toEqual(sorted);
  });

  it('an event scheduled at the current time from a task runs after the events already queued for that time', () => {
    const s = new Scheduler();
    const log: string[] = [];
    s.at(5, () => {
      log.push('first');
      s.at(5, () => log.push('spawned-now'));
      s.after(0, () => log.push('spawned-after-0'));
    });
    s.at(5, () => log.push('second'));
    s.at(6, () => log.push('later'));
    s.run(UNBOUNDED);
    expect(log).toEqual(['first', 'second', 'spawned-now', 'spawned-after-0', 'later']);
  });

  it('after() is relative to now and rounds to whole ms, never negative', () => {
    const s = new Scheduler();
    const times: number[] = [];
    s.at(100, () => {
      s.after(1.4, () => times.push(s.now));
      s.after(-50, () => times.push(s.now));
      s.after(2.6, () => times.push(s.now));
    });
    s.run(UNBOUNDED);
    expect(times).toEqual([100, 101, 103]);
  });
});

describe('Scheduler cancel', () => {
  it('a cancelled event never runs, and cancel tolerates undefined, null and already-run ids', () => {
    const s = new Scheduler();
    const log: string[] = [];
    const a = s.at(1, () => log.push('a'));
    const b = s.at(2, () => log.push('b'));
    s.at(3, () => log.push('c'));
    s.cancel(b);
    s.cancel(undefined);
    s.cancel(null);
    expect(s.run(UNBOUNDED)).toBe('drained');
    expect(log).toEqual(['a', 'c']);
    expect(s.eventsExecuted).toBe(2);
    s.cancel(a); // already ran: a no-op
    expect(s.run(UNBOUNDED)).toBe('drained');
    expect(log).toEqual(['a', 'c']);
  });

  it('a task can cancel a later event, including one at the same time', () => {
    const s = new Scheduler();
    const log: string[] = [];
    const victim = s.at(4, () => log.push('victim'));
    s.at(4, () => log.push('after-victim'));
    // Scheduled before the victim at an earlier time, so it runs first and cancels it.
    s.at(3, () => {
      log.push('killer');
      s.cancel(victim);
    });
    s.run(UNBOUNDED);
    expect(log).toEqual(['killer', 'after-victim']);
  });

  it('a queue holding only cancelled events drains without advancing the clock', () => {
    const s = new Scheduler();
    s.cancel(s.at(50, () => undefined));
    s.cancel(s.at(60, () => undefined));
    expect(s.run({ maxEvents: 10, maxTimeMs: 10 })).toBe('drained');
    expect(s.now).toBe(0);
    expect(s.eventsExecuted).toBe(0);
    expect(s.pending).toBe(0);
  });
});

describe('Scheduler limits', () => {
  it('maxEvents stops with "max-events" and leaves the rest of the queue to a later run', () => {
    const s = new Scheduler();
    const r = recorder(s);
    for (let i = 0; i < 5; i++) r.at(i * 10, `e${i}`);
    expect(s.run({ maxEvents: 3, maxTimeMs: 1_000 })).toBe('max-events');
    expect(r.log).toEqual(['e0@0', 'e1@10', 'e2@20']);
    expect(s.now).toBe(20);
    expect(s.pending).toBe(2);
    // maxEvents bounds the scheduler's total: a run with the same bound executes nothing more.
    expect(s.run({ maxEvents: 3, maxTimeMs: 1_000 })).toBe('max-events');
    expect(s.eventsExecuted).toBe(3);
    expect(s.run({ maxEvents: 100, maxTimeMs: 1_000 })).toBe('drained');
    expect(r.log).toEqual(['e0@0', 'e1@10', 'e2@20', 'e3@30', 'e4@40']);
  });

  it('maxTimeMs stops with "max-time" before an event beyond the bound; events at the bound still run', () => {
    const s = new Scheduler();
    const r = recorder(s);
    r.at(100, 'a');
    r.at(200, 'b');
    r.at(201, 'c');
    r.at(300, 'd');
    expect(s.run({ maxEvents: 100, maxTimeMs: 200 })).toBe('max-time');
    expect(r.log).toEqual(['a@100', 'b@200']);
    expect(s.now).toBe(200);
    expect(s.pending).toBe(2);
    expect(s.run({ maxEvents: 100, maxTimeMs: 250 })).toBe('max-time');
    expect(r.log).toEqual(['a@100', 'b@200', 'c@201']);
    expect(s.run(UNBOUNDED)).toBe('drained');
    expect(r.log).toEqual(['a@100', 'b@200', 'c@201', 'd@300']);
  });

  it('when both bounds are reached the time bound is reported; otherwise the bound that was hit', () => {
    const both = new Scheduler();
    both.at(10, () => undefined);
    both.at(500, () => undefined);
    expect(both.run({ maxEvents: 1, maxTimeMs: 100 })).toBe('max-time');
    const events = new Scheduler();
    events.at(50, () => undefined);
    expect(events.run({ maxEvents: 0, maxTimeMs: 100 })).toBe('max-events');
    expect(events.eventsExecuted).toBe(0);
    expect(events.pending).toBe(1);
  });

  it('advanceTo moves the clock without running anything and refuses to go backwards', () => {
    const s = new Scheduler();
    let ran = false;
    s.at(1_000, () => (ran = true));
    s.advanceTo(500);
    expect(s.now).toBe(500);
    expect(ran).toBe(false);
    expect(() => s.advanceTo(499)).toThrow(/before now 500/);
  });
});

describe('Scheduler misuse is a simulator bug (throws)', () => {
  it('scheduling in the past throws', () => {
    const s = new Scheduler();
    let error: unknown = null;
    s.at(100, () => {
      try {
        s.at(99, () => undefined);
      } catch (e) {
        error = e;
      }
    });
    s.run(UNBOUNDED);
    expect(String(error)).toMatch(/time 99 is before now 100/);
  });

  it('a non-integer time throws', () => {
    const s = new Scheduler();
    expect(() => s.at(1.5, () => undefined)).toThrow(/must be an integer/);
    expect(() => s.at(Number.NaN, () => undefined)).toThrow(/must be an integer/);
    expect(() => s.at(Number.POSITIVE_INFINITY, () => undefined)).toThrow(/must be an integer/);
    expect(s.pending).toBe(0);
  });
});

describe('Scheduler stop', () => {
  it('stop() from a task ends the run after that task with "stopped"; a later run resumes', () => {
    const s = new Scheduler();
    const log: string[] = [];
    s.at(1, () => log.push('a'));
    s.at(2, () => {
      log.push('b');
      s.stop();
    });
    s.at(2, () => log.push('c'));
    s.at(3, () => log.push('d'));
    expect(s.run(UNBOUNDED)).toBe('stopped');
    expect(log).toEqual(['a', 'b']);
    expect(s.now).toBe(2);
    expect(s.pending).toBe(2);
    expect(s.run(UNBOUNDED)).toBe('drained');
    expect(log).toEqual(['a', 'b', 'c', 'd']);
  });

  it('stop() from the afterEach hook ends the run after the current event', () => {
    const s = new Scheduler();
    const log: number[] = [];
    for (let i = 1; i <= 5; i++) s.at(i, () => log.push(i));
    const reason = s.run(UNBOUNDED, () => {
      if (s.now === 3) s.stop();
    });
    expect(reason).toBe('stopped');
    expect(log).toEqual([1, 2, 3]);
  });

  it('a stop() requested outside a run does not end the next run', () => {
    const s = new Scheduler();
    s.at(1, () => undefined);
    s.at(2, () => undefined);
    s.stop();
    expect(s.run(UNBOUNDED)).toBe('drained');
    expect(s.eventsExecuted).toBe(2);
  });
});

describe('Scheduler.every (a periodic source run in batches)', () => {
  /**
   * A world of events that schedule more events, some on the ticks' very times, run once with a task that
   * re-schedules itself every `periodMs` and once with `every`: the events must run in the same order at
   * the same times, and the batches must hold exactly the ticks that ran between them.
   */
  function runBoth(periodMs: number, seed: number) {
    const log = (s: Scheduler, mode: 'each' | 'batch') => {
      const out: string[] = [];
      let x = seed;
      const rand = (n: number) => {
        x = (x * 1103515245 + 12345) % 2147483648;
        return x % n;
      };
      const event = (label: string, depth: number) => () => {
        out.push(`${label}@${s.now}`);
        if (depth < 3) {
          // Land on tick times often (multiples of the period), sometimes in between, sometimes at once.
          const k = rand(3);
          const delay = k === 0 ? 0 : k === 1 ? periodMs * (1 + rand(3)) : rand(5 * periodMs);
          s.after(delay, event(`${label}.${depth}`, depth + 1));
        }
      };
      for (let i = 0; i < 20; i++)
        s.at(rand(20) * periodMs + (rand(2) === 0 ? 0 : rand(periodMs)), event(`e${i}`, 0));
      if (mode === 'each') {
        const tick = () => {
          out.push(`tick@${s.now}`);
          s.after(periodMs, tick);
        };
        s.at(periodMs, tick);
      } else {
        s.every(periodMs, periodMs, (count, firstMs, lastMs) => {
          expect(s.now).toBe(lastMs);
          expect(lastMs - firstMs).toBe((count - 1) * periodMs);
          for (let i = 0; i < count; i++) out.push(`tick@${firstMs + i * periodMs}`);
        });
      }
      const stop = s.run({ maxEvents: 10_000, maxTimeMs: 30 * periodMs });
      return { out, stop };
    };
    return { each: log(new Scheduler(), 'each'), batch: log(new Scheduler(), 'batch') };
  }

  it('runs ticks in the order and at the times a self-rescheduling task would, ties included', () => {
    for (const periodMs of [1, 2, 7, 200]) {
      for (let seed = 1; seed <= 30; seed++) {
        const { each, batch } = runBoth(periodMs, seed);
        expect(batch.out, `period ${periodMs} seed ${seed}`).toEqual(each.out);
        expect(batch.stop).toBe('max-time');
        expect(each.stop).toBe('max-time');
      }
    }
  });

  it('does not count ticks as executed events and runs the ticks up to the time bound when the queue is empty', () => {
    const s = new Scheduler();
    const batches: [number, number, number][] = [];
    s.every(10, 10, (count, firstMs, lastMs) => batches.push([count, firstMs, lastMs]));
    s.at(25, () => {});
    expect(s.run({ maxEvents: 100, maxTimeMs: 100 })).toBe('max-time');
    expect(batches).toEqual([
      [2, 10, 20],
      [8, 30, 100],
    ]);
    expect(s.eventsExecuted).toBe(1);
    expect(() => s.every(5, 5, () => {})).toThrow(/already/);
  });
});

import { describe, it, expect } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { virtualClock } from '../../../sim/engine/clock.js';
import { Scheduler } from '../../../sim/engine/scheduler.js';

const UNBOUNDED = { maxEvents: 1_000, maxTimeMs: Number.MAX_SAFE_INTEGER };

const machine = createMachine({
  id: 'timer',
  initial: 'a',
  states: {
    a: {
      after: { 5000: 'b' },
      on: { LEAVE: 'c' },
    },
    b: {},
    c: { on: { BACK: 'a' } },
  },
});

describe('virtualClock: XState `after` delays run on the scheduler', () => {
  it('after(5000) fires only when the scheduler reaches t=5000, not before', () => {
    const scheduler = new Scheduler();
    const actor = createActor(machine, { clock: virtualClock(scheduler) }).start();
    expect(actor.getSnapshot().value).toBe('a');
    expect(scheduler.pending).toBe(1);

    expect(scheduler.run({ maxEvents: 1_000, maxTimeMs: 4_999 })).toBe('max-time');
    expect(actor.getSnapshot().value).toBe('a');

    expect(scheduler.run({ maxEvents: 1_000, maxTimeMs: 5_000 })).toBe('drained');
    expect(actor.getSnapshot().value).toBe('b');
    expect(scheduler.now).toBe(5_000);
    actor.stop();
  });

  it('no wall-clock time is involved: a 5 s timer fires immediately in real time', () => {
    const scheduler = new Scheduler();
    const actor = createActor(machine, { clock: virtualClock(scheduler) }).start();
    scheduler.run(UNBOUNDED);
    expect(actor.getSnapshot().value).toBe('b');
    actor.stop();
  });

  it('exiting the state cancels its timer', () => {
    const scheduler = new Scheduler();
    const actor = createActor(machine, { clock: virtualClock(scheduler) }).start();
    scheduler.at(1_000, () => actor.send({ type: 'LEAVE' }));
    expect(scheduler.run(UNBOUNDED)).toBe('drained');
    expect(actor.getSnapshot().value).toBe('c');
    // Only the LEAVE event ran; the cancelled timer was dropped without executing.
    expect(scheduler.eventsExecuted).toBe(1);
    expect(scheduler.now).toBe(1_000);
    actor.stop();
  });

  it('re-entering the state starts a fresh timer from the re-entry time', () => {
    const scheduler = new Scheduler();
    const actor = createActor(machine, { clock: virtualClock(scheduler) }).start();
    const seen: { t: number; value: unknown }[] = [];
    actor.subscribe((snap) => seen.push({ t: scheduler.now, value: snap.value }));
    scheduler.at(1_000, () => actor.send({ type: 'LEAVE' }));
    scheduler.at(3_000, () => actor.send({ type: 'BACK' }));
    scheduler.run(UNBOUNDED);
    expect(seen).toEqual([
      { t: 1_000, value: 'c' },
      { t: 3_000, value: 'a' },
      { t: 8_000, value: 'b' },
    ]);
    actor.stop();
  });

  it('stopping the actor cancels its pending timers', () => {
    const scheduler = new Scheduler();
    const actor = createActor(machine, { clock: virtualClock(scheduler) }).start();
    actor.stop();
    expect(scheduler.run(UNBOUNDED)).toBe('drained');
    expect(scheduler.eventsExecuted).toBe(0);
  });
});

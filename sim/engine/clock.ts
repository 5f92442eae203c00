// The XState Clock adapter: XState v5 schedules `after` transitions through the clock's timer methods;
// passing this adapter to `createActor(machine, { clock })` makes those delays fire on the scheduler's
// virtual time. (Property syntax on purpose: these are XState's method names, not the global timers.)
import type { Scheduler, TimerId } from './scheduler.js';

export interface XStateClock {
  setTimeout: (fn: (...args: unknown[]) => void, timeout: number) => unknown;
  clearTimeout: (id: unknown) => void;
}

export function virtualClock(scheduler: Scheduler): XStateClock {
  return {
    setTimeout: (fn, timeout) => scheduler.after(timeout, () => fn()),
    clearTimeout: (id) => scheduler.cancel(id as TimerId),
  };
}

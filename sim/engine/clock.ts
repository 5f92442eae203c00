// The XState Clock adapter: XState v5 schedules `after` transitions through `clock.setTimeout`; passing
// this adapter to `createActor(machine, { clock })` makes those delays fire on the scheduler's virtual time.
import type { Scheduler, TimerId } from './scheduler.js';

export interface XStateClock {
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}

export function virtualClock(scheduler: Scheduler): XStateClock {
  return {
    setTimeout(fn, timeout) {
      return scheduler.after(timeout, () => fn());
    },
    clearTimeout(id) {
      scheduler.cancel(id as TimerId);
    },
  };
}

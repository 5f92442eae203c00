// The wall-clock adapter of the real-node agent: the one place where the node model's `after` delays run on
// real timers (DESIGN.md, determinism contract: the real-node adapter is exempt and says so in its event
// stream). `speed` is model ms per wall-clock ms, so a boot drawn as 60 s takes 1 s at speed 60; the same
// factor as `serve --speed` and `upgrade --attach --speed`, so a policy's timeouts scale alike. Real etcd
// is never scaled: its elections and its 5-s "connected to every voter" rule (F§4) take wall-clock time.
import type { XStateClock } from '../../engine/clock.js';

export const AGENT_SPEED_MAX = 1_000;

export class WallClock {
  private readonly startWallMs = Date.now();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly speed: number) {
    if (!(speed > 0 && speed <= AGENT_SPEED_MAX))
      throw new RangeError(`WallClock: speed must be in (0, ${AGENT_SPEED_MAX}], got ${speed}`);
  }

  /** Model milliseconds since the agent started. */
  now(): number {
    return Math.floor((Date.now() - this.startWallMs) * this.speed);
  }

  /** Wall-clock milliseconds for `modelMs` of model time. */
  wallMs(modelMs: number): number {
    return Math.max(0, Math.round(modelMs / this.speed));
  }

  /** Run `fn` after `modelMs` of model time. */
  after(modelMs: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, this.wallMs(modelMs));
    this.timers.add(t);
    return t;
  }

  cancel(t: NodeJS.Timeout): void {
    clearTimeout(t);
    this.timers.delete(t);
  }

  /** The XState clock: the model's delays in model ms, fired on wall-clock timers. */
  xstate(): XStateClock {
    return {
      setTimeout: (fn, timeout) => this.after(timeout, () => fn()),
      clearTimeout: (id) => this.cancel(id as NodeJS.Timeout),
    };
  }

  /** Cancel every pending timer (the agent is stopping). */
  stopAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

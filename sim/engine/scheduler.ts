// The discrete-event scheduler: one virtual clock in integer milliseconds, events ordered by (time, seq).
// Every source of change in a run (model timers, faults, orchestrator steps, RPC replies, workload ticks)
// is an entry on this queue, so a run is a pure function of its inputs (DESIGN.md, determinism contract).

export type Task = () => void;

export interface SchedulerLimits {
  /** Stop after this many executed events. */
  maxEvents: number;
  /** Stop when the next event lies beyond this virtual time (ms). */
  maxTimeMs: number;
}

export type StopReason = 'drained' | 'max-events' | 'max-time' | 'stopped';

interface Entry {
  time: number;
  seq: number;
  task: Task | null; // null once cancelled (lazy deletion keeps cancel O(1))
}

/** A timer handle returned by `at`/`after`; pass it to `cancel`. */
export type TimerId = Entry;

/**
 * Called with the ticks of a periodic source that fell between two events: how many, and the virtual
 * times of the first and the last. The clock reads the last one's time during the call.
 */
export type TicksTask = (count: number, firstMs: number, lastMs: number) => void;

/**
 * A periodic source kept out of the heap (`Scheduler.every`). Its next tick has a (time, seq) key like any
 * entry; running a tick takes the next seq for its successor, exactly as a task that re-schedules itself
 * with `after(periodMs)` would, so the order of every other event and every seq number are the same as
 * with one heap entry per tick.
 */
interface Ticker {
  time: number;
  seq: number;
  periodMs: number;
  task: TicksTask;
}

export class Scheduler {
  private heap: Entry[] = [];
  private seqNext = 0;
  private timeNow = 0;
  private executed = 0;
  private stopRequested = false;
  private ticker: Ticker | null = null;

  get now(): number {
    return this.timeNow;
  }

  get eventsExecuted(): number {
    return this.executed;
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Schedule `task` at absolute virtual time `time` (ms). Scheduling in the past is a simulator bug. */
  at(time: number, task: Task): TimerId {
    if (!Number.isInteger(time)) throw new Error(`Scheduler.at: time must be an integer ms, got ${time}`);
    if (time < this.timeNow) throw new Error(`Scheduler.at: time ${time} is before now ${this.timeNow}`);
    const entry: Entry = { time, seq: this.seqNext++, task };
    this.push(entry);
    return entry;
  }

  /** Schedule `task` after `delayMs` (rounded to whole ms, never negative). */
  after(delayMs: number, task: Task): TimerId {
    return this.at(this.timeNow + Math.max(0, Math.round(delayMs)), task);
  }

  /**
   * A periodic source whose ticks change nothing but what `task` does with them (the workload's writes):
   * the ticks between two events run as one call of `task` right before the later event, instead of one
   * event each. They are not executed events (`eventsExecuted` does not count them) and `afterEach` does
   * not run for them. Ticks keep their place in the (time, seq) order: a tick at the same time as an
   * event runs before it exactly when a self-rescheduling task's entry would. One source per scheduler.
   */
  every(firstAtMs: number, periodMs: number, task: TicksTask): void {
    if (this.ticker !== null) throw new Error('Scheduler.every: a periodic source is already set');
    if (!Number.isInteger(periodMs) || periodMs < 1)
      throw new Error(`Scheduler.every: period must be a whole ms >= 1, got ${periodMs}`);
    if (!Number.isInteger(firstAtMs) || firstAtMs < this.timeNow)
      throw new Error(
        `Scheduler.every: first tick ${firstAtMs} is not a whole ms at or after ${this.timeNow}`,
      );
    this.ticker = { time: firstAtMs, seq: this.seqNext++, periodMs, task };
  }

  cancel(id: TimerId | undefined | null): void {
    if (id) id.task = null;
  }

  /** Ask the loop to stop after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Run events in (time, seq) order until the queue drains or a limit is hit. `afterEach` runs after every
   * executed event (invariant checks hook in here); it may call `stop()`.
   */
  run(limits: SchedulerLimits, afterEach?: () => void): StopReason {
    this.stopRequested = false;
    const heap = this.heap;
    for (;;) {
      const top = heap[0];
      if (top !== undefined && top.task === null) {
        this.pop();
        continue;
      }
      if (this.ticker !== null) {
        // The ticks due before the next event (or up to the time bound) run first, as one call. The task
        // may schedule events, so the queue is read again afterwards.
        if (this.runTicks(top, limits.maxTimeMs)) continue;
        if (top === undefined) return 'max-time';
      }
      if (top === undefined) return 'drained';
      if (top.time > limits.maxTimeMs) return 'max-time';
      if (this.executed >= limits.maxEvents) return 'max-events';
      this.pop();
      this.timeNow = top.time;
      const task = top.task!;
      top.task = null;
      this.executed++;
      task();
      if (afterEach) afterEach();
      if (this.stopRequested) return 'stopped';
    }
  }

  /** Runs the periodic source's ticks ordered before `next` and within `maxTimeMs`; true if any ran. */
  private runTicks(next: Entry | undefined, maxTimeMs: number): boolean {
    const tk = this.ticker!;
    const limitMs = next === undefined ? maxTimeMs : Math.min(maxTimeMs, next.time);
    if (tk.time > limitMs) return false;
    let count = Math.floor((limitMs - tk.time) / tk.periodMs) + 1;
    const firstMs = tk.time;
    let lastMs = firstMs + (count - 1) * tk.periodMs;
    // A tick at the very time of `next` runs first only if it was scheduled first: only the first tick of
    // this call can be (every later one takes its seq now, after `next` took its own).
    if (next !== undefined && lastMs === next.time && !(count === 1 && tk.seq < next.seq)) {
      count--;
      lastMs -= tk.periodMs;
    }
    if (count === 0) return false;
    // Each tick takes one seq for its successor, as `after(periodMs)` inside the tick would.
    this.seqNext += count;
    tk.seq = this.seqNext - 1;
    tk.time = lastMs + tk.periodMs;
    this.timeNow = lastMs;
    tk.task(count, firstMs, lastMs);
    return true;
  }

  /** Move the clock forward without running anything (used when a run ends at its time bound). */
  advanceTo(time: number): void {
    if (time < this.timeNow) throw new Error(`Scheduler.advanceTo: ${time} is before now ${this.timeNow}`);
    this.timeNow = time;
  }

  private push(e: Entry): void {
    const heap = this.heap;
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.time < e.time || (p.time === e.time && p.seq < e.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = e;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      const lc = heap[l]!;
      if (r < n) {
        const rc = heap[r]!;
        if (rc.time < lc.time || (rc.time === lc.time && rc.seq < lc.seq)) c = r;
      }
      const ch = heap[c]!;
      if (last.time < ch.time || (last.time === ch.time && last.seq < ch.seq)) break;
      heap[i] = ch;
      i = c;
    }
    heap[i] = last;
  }
}

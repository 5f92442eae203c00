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

export class Scheduler {
  private heap: Entry[] = [];
  private seqNext = 0;
  private timeNow = 0;
  private executed = 0;
  private stopRequested = false;

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
    while (heap.length > 0) {
      const top = heap[0]!;
      if (top.task === null) {
        this.pop();
        continue;
      }
      if (top.time > limits.maxTimeMs) return 'max-time';
      if (this.executed >= limits.maxEvents) return 'max-events';
      this.pop();
      this.timeNow = top.time;
      const task = top.task;
      top.task = null;
      this.executed++;
      task();
      if (afterEach) afterEach();
      if (this.stopRequested) return 'stopped';
    }
    return 'drained';
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

// Book-keeping for injected faults: which are active, which nodes they take out, and how to end them.
// Every fault is traced when it starts and when it ends (DESIGN.md, Faults). The liveness phase ends
// them all at once.
import type { Scheduler, TimerId } from '../engine/scheduler.js';
import type { World } from '../cluster/world.js';
import type { TraceFn } from '../cluster/world.js';

export interface ActiveFault {
  id: number;
  type: string;
  node?: string;
  /** Nodes this fault takes away from the cluster while it lasts (for the quorum invariant's excuse). */
  takesOut: string[];
  /** Started by the random injector: counts against `random.maxConcurrent`. */
  random: boolean;
  end: () => void;
  endTimer: TimerId | null;
}

export interface FaultContext {
  world: World;
  scheduler: Scheduler;
  trace: TraceFn;
  registry: FaultRegistry;
}

export class FaultRegistry {
  private nextId = 1;
  readonly active = new Map<number, ActiveFault>();
  /** Set once the liveness phase starts: no new fault may begin. */
  stopped = false;
  /** Nodes a fault took out that have not been Ready since it ended: still the fault's doing. */
  readonly recovering = new Set<string>();

  constructor(private readonly trace: TraceFn) {}

  /**
   * Start a fault now. `end` undoes it; `durationMs` null means it lasts until the liveness phase.
   * Returns the fault id, or null when faults have stopped.
   */
  begin(
    scheduler: Scheduler,
    f: { type: string; node?: string; detail: string; takesOut: string[]; random?: boolean },
    durationMs: number | null,
    end: () => void,
  ): number | null {
    if (this.stopped) return null;
    const id = this.nextId++;
    this.traceFault('fault.start', f.type, id, f.node, f.detail);
    const active: ActiveFault = {
      id,
      type: f.type,
      takesOut: f.takesOut,
      random: f.random ?? false,
      end,
      endTimer: null,
      ...(f.node ? { node: f.node } : {}),
    };
    this.active.set(id, active);
    if (durationMs !== null)
      active.endTimer = scheduler.after(durationMs, () => this.finish(id, 'duration elapsed'));
    return id;
  }

  /** An instantaneous fault (a wipe): traced as a start and an end at the same instant. */
  instant(f: { type: string; node?: string; detail: string }, apply: () => void): void {
    if (this.stopped) return;
    const id = this.nextId++;
    this.traceFault('fault.start', f.type, id, f.node, f.detail);
    apply();
    this.traceFault('fault.end', f.type, id, f.node, 'instantaneous');
  }

  /**
   * A fault that switches a condition on a node on for a while (`set(true)`) and off when it ends
   * (`set(false)`): BOOT full, installer failures, busy mounts. It takes no node out by itself.
   */
  condition(
    scheduler: Scheduler,
    f: { type: string; node: string; detail?: string },
    durationMs: number | null,
    set: (on: boolean) => void,
  ): void {
    const lasts = durationMs === null ? 'until liveness' : `for ${durationMs} ms`;
    const detail = f.detail ? `${f.detail}, ${lasts}` : lasts;
    const id = this.begin(scheduler, { type: f.type, node: f.node, detail, takesOut: [] }, durationMs, () =>
      set(false),
    );
    if (id !== null) set(true);
  }

  private traceFault(
    type: 'fault.start' | 'fault.end',
    fault: string,
    id: number,
    node: string | undefined,
    detail: string,
  ): void {
    this.trace({ type, fault, id, ...(node ? { node } : {}), detail });
  }

  finish(id: number, why: string): void {
    const f = this.active.get(id);
    if (!f) return;
    this.active.delete(id);
    for (const n of f.takesOut) this.recovering.add(n);
    f.end();
    this.traceFault('fault.end', f.type, id, f.node, why);
  }

  /** Liveness phase: end every active fault and refuse new ones. */
  stopAll(scheduler: Scheduler): void {
    this.stopped = true;
    for (const id of [...this.active.keys()].sort((a, b) => a - b)) {
      const f = this.active.get(id)!;
      scheduler.cancel(f.endTimer);
      this.finish(id, 'liveness phase: faults stop');
    }
  }

  /** Nodes currently taken out by faults, including those still recovering from one. */
  nodesTakenOut(): Set<string> {
    const s = new Set<string>(this.recovering);
    for (const f of this.active.values()) for (const n of f.takesOut) s.add(n);
    return s;
  }

  /**
   * Random faults that take a node out right now (what `maxConcurrent` bounds). A random bad image does
   * not count: it takes nothing out until a node boots it, and it stays active until the liveness phase,
   * so counting it would block every later random fault.
   */
  countRandom(): number {
    let n = 0;
    for (const f of this.active.values()) if (f.random && f.takesOut.length > 0) n++;
    return n;
  }
}

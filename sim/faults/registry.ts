// Book-keeping for injected faults: which are active, which nodes they take out, and how to end them.
// Every fault is traced when it starts and when it ends (DESIGN.md, Faults). The liveness phase ends
// them all at once. Faults on one node compose: a node that two faults power off stays off until the last
// of them ends (power holds are counted here); network cuts are counted by models/network.ts.
//
// The quorum excuse: a fault takes its nodes out while it lasts, and they stay out after it ends until they
// are Ready again. An instantaneous fault (a wipe, an operator's member removal) takes its node out until
// the node next *becomes* Ready (a node.ready event), since the damage shows only later (issue 6 item 6).
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
  /**
   * Nodes a fault took out that have not been Ready since it ended: still the fault's doing. `ready`: the
   * first moment the node is Ready clears it; `becomeReady`: only the node's next node.ready event does.
   */
  readonly recovering = new Map<string, 'ready' | 'becomeReady'>();
  /** How many active faults hold each node's power off. */
  private readonly powerHolds = new Map<string, number>();

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

  /**
   * An instantaneous fault (a wipe, a member removal): traced as a start and an end at the same instant.
   * `apply` returns the nodes it took out; they stay out until each next becomes Ready.
   */
  instant(f: { type: string; node?: string; detail: string }, apply: () => string[]): void {
    if (this.stopped) return;
    const id = this.nextId++;
    this.traceFault('fault.start', f.type, id, f.node, f.detail);
    for (const n of apply()) this.recovering.set(n, 'becomeReady');
    this.traceFault('fault.end', f.type, id, f.node, 'instantaneous');
  }

  /**
   * Hold `node`'s power off for one more fault: the first hold cuts the power, later ones only count.
   * Returns the function that releases this hold; the last release powers the node on again.
   */
  holdPowerOff(node: string, off: () => void, on: () => void): () => void {
    const held = this.powerHolds.get(node) ?? 0;
    this.powerHolds.set(node, held + 1);
    if (held === 0) off();
    let released = false;
    return () => {
      // A bug, not an operating error: each hold is released once, by the fault that took it.
      if (released) throw new Error(`power hold on ${node} released twice`);
      released = true;
      const left = (this.powerHolds.get(node) ?? 0) - 1;
      if (left < 0) throw new Error(`power hold count on ${node} went negative`);
      if (left === 0) {
        this.powerHolds.delete(node);
        on();
      } else this.powerHolds.set(node, left);
    };
  }

  /** How many active faults hold `node`'s power off. */
  powerHeldOff(node: string): number {
    return this.powerHolds.get(node) ?? 0;
  }

  /** A node.ready event: the node is Ready again, whatever took it out. */
  noteReady(node: string): void {
    this.recovering.delete(node);
  }

  /** After each event: nodes taken out by a fault that ended are back once they are Ready. */
  settleRecovering(isReady: (node: string) => boolean): void {
    for (const [n, until] of this.recovering) if (until === 'ready' && isReady(n)) this.recovering.delete(n);
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
    for (const n of f.takesOut) if (!this.recovering.has(n)) this.recovering.set(n, 'ready');
    f.end();
    this.traceFault('fault.end', f.type, id, f.node, why);
  }

  /** End one active fault now (a lab verb undoing what another started); false if it was not active. */
  end(scheduler: Scheduler, id: number, why: string): boolean {
    const f = this.active.get(id);
    if (!f) return false;
    scheduler.cancel(f.endTimer);
    this.finish(id, why);
    return true;
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
    const s = new Set<string>(this.recovering.keys());
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

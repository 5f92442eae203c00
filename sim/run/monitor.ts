// The invariant monitor: stands beside the run loop (STYLE.md habit 13). After every event it arms the
// invariants once the cluster has formed, charges the interval since the previous event to "without
// quorum" when etcd had none, checks every invariant and records a violation when one goes from clean to
// violated (once per episode). At the liveness deadline and at the end it runs each invariant's final
// check once.
import type { World } from '../cluster/world.js';
import type { Scheduler } from '../engine/scheduler.js';
import type { FaultRegistry } from '../faults/registry.js';
import type { Invariant, InvariantEnv, Violation } from '../invariants/invariant.js';
import type { Scenario } from '../scenario/types.js';
import type { TraceFn } from '../cluster/world.js';

export interface RecordedViolation {
  t: number;
  invariant: string;
  nodes: string[];
  message: string;
  liveness: boolean;
}

export class InvariantMonitor {
  readonly violations: RecordedViolation[] = [];
  private readonly activeViolation = new Map<string, boolean>();
  /** Invariants are armed once the cluster has formed: every node Ready and etcd has a leader. */
  armed = false;
  // Quorum time: each interval between two events is charged by the state etcd was in during it, which
  // is the state after the earlier event (issue 6 item 12), so `hadQuorum` is carried from one event to
  // the next rather than read after the later one.
  private lastT = 0;
  private hadQuorum = true;
  private noQuorumMs = 0;
  private livenessChecked = false;

  constructor(
    private readonly scenario: Scenario,
    private readonly world: World,
    private readonly registry: FaultRegistry,
    private readonly scheduler: Scheduler,
    private readonly invariants: Invariant[],
    private readonly trace: TraceFn,
  ) {}

  /** Invariant deadlines: a no-op event at the deadline, after which every invariant is checked. */
  private readonly wakeAt = (atMs: number): void => {
    if (atMs > this.scheduler.now && atMs <= this.scenario.durationMs) this.scheduler.at(atMs, () => {});
  };

  private env(): InvariantEnv {
    return {
      world: this.world,
      faults: this.registry,
      now: this.scheduler.now,
      target: this.scenario.upgrade?.to ?? null,
      initial: this.scenario.cluster.version,
      wakeAt: this.wakeAt,
    };
  }

  private record(inv: Invariant, v: Violation): void {
    this.violations.push({
      t: this.scheduler.now,
      invariant: inv.name,
      nodes: v.nodes,
      message: v.message,
      liveness: inv.liveness,
    });
    this.trace({
      type: 'violation',
      invariant: inv.name,
      nodes: v.nodes,
      message: v.message,
      liveness: inv.liveness,
    });
  }

  /** Runs after every scheduler event. */
  readonly afterEach = (): void => {
    const world = this.world;
    world.settle();
    const now = this.scheduler.now;
    if (!this.armed) {
      if (world.etcd.leader() !== null && world.nodes.every((n) => n.actor.getSnapshot().context.ready)) {
        this.armed = true;
        this.trace({ type: 'orchestrator', step: 'cluster-formed' });
      }
      this.lastT = now;
      this.hadQuorum = true;
      return;
    }
    if (!this.hadQuorum) this.noQuorumMs += now - this.lastT;
    // Quorum, not a leader: a normal election takes virtual time (F§4) and is not lost quorum.
    this.hadQuorum = world.etcd.hasQuorum();
    this.registry.settleRecovering((n) => world.nodeContext(n).ready);
    this.lastT = now;
    const e = this.env();
    for (const inv of this.invariants) {
      const v = inv.check(e);
      const was = this.activeViolation.get(inv.name) ?? false;
      if (v && !was) this.record(inv, v);
      this.activeViolation.set(inv.name, v !== null);
    }
  };

  /** The final checks (liveness), once: at the liveness deadline, or at the end if the run stops first. */
  checkLiveness(): void {
    if (this.livenessChecked) return;
    this.livenessChecked = true;
    for (const inv of this.invariants) {
      const v = inv.finish?.(this.env());
      if (v) this.record(inv, v);
    }
  }

  /** At the end of the run: the last interval's quorum time, the final checks, a cluster that never formed. */
  finish(): void {
    if (this.armed && !this.hadQuorum) this.noQuorumMs += this.scheduler.now - this.lastT;
    this.checkLiveness();
    if (!this.armed) {
      this.violations.push({
        t: this.scheduler.now,
        invariant: 'convergence',
        nodes: [],
        message: 'the cluster never formed (not every node became Ready with an etcd leader)',
        liveness: true,
      });
      this.trace({
        type: 'violation',
        invariant: 'convergence',
        nodes: [],
        message: 'the cluster never formed',
        liveness: true,
      });
    }
  }

  /** Virtual time etcd spent without quorum while the invariants were armed. */
  get timeWithoutQuorumMs(): number {
    return this.noQuorumMs;
  }
}

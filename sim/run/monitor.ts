// The invariant monitor: stands beside the run loop (STYLE.md habit 13). After every event it arms the
// invariants once the cluster has formed, charges the interval since the previous event to "without
// quorum" when etcd had none, checks every invariant and records a violation when one goes from clean to
// violated (once per episode). At the liveness deadline and at the end it runs each invariant's final
// check once.
import type { World } from '../cluster/world.js';
import type { Scheduler } from '../engine/scheduler.js';
import type { FaultRegistry } from '../faults/registry.js';
import { dirtyNodesInOrder } from '../invariants/dirty.js';
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
  /** The first check after arming looks at every node; later ones at the nodes marked dirty. */
  private checkedOnce = false;
  /**
   * Until the cluster has formed: the nodes not Ready, kept from the dirty nodes of each event (a node's
   * `ready` changes only with its actor, which marks it dirty), so arming costs what changed, not a scan of
   * every node after every event of the boot (O(nodes²) for a 1,000-node cluster forming).
   */
  private readonly notReady: Set<string>;

  /**
   * `verify` (tests): a second, independent set of the same invariants is checked over every node after
   * every event, and any difference from the incremental answer throws (a simulator bug).
   */
  constructor(
    private readonly scenario: Scenario,
    private readonly world: World,
    private readonly registry: FaultRegistry,
    private readonly scheduler: Scheduler,
    private readonly invariants: Invariant[],
    private readonly trace: TraceFn,
    private readonly verify: Invariant[] | null = null,
  ) {
    this.notReady = new Set(world.nodes.map((n) => n.name));
  }

  private readonly isReady = (node: string): boolean => this.world.nodeContext(node).ready;

  /** Invariant deadlines: a no-op event at the deadline, after which every invariant is checked. */
  private readonly wakeAt = (atMs: number): void => {
    if (atMs > this.scheduler.now && atMs <= this.scenario.durationMs) this.scheduler.at(atMs, () => {});
  };

  private env(dirty: ReadonlySet<string> | null = null): InvariantEnv {
    return {
      dirty,
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
    const dirty = world.takeDirty();
    const now = this.scheduler.now;
    if (!this.armed) {
      for (const name of dirty) {
        if (world.nodeContext(name).ready) this.notReady.delete(name);
        else this.notReady.add(name);
      }
      if (this.verify !== null) {
        const full = world.nodes.filter((n) => !n.actor.getSnapshot().context.ready).map((n) => n.name);
        if (full.length !== this.notReady.size || full.some((n) => !this.notReady.has(n)))
          throw new Error(
            `invariant monitor: incremental arming at t=${now} ms sees ${[...this.notReady].join(',') || 'none'} ` +
              `not Ready, a full scan ${full.join(',') || 'none'}`,
          );
      }
      if (world.etcd.leader() !== null && this.notReady.size === 0) {
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
    this.registry.settleRecovering(this.isReady);
    this.lastT = now;
    const e = this.env(this.checkedOnce ? dirty : null);
    // The dirty nodes in world order once for every invariant, not sorted again by each.
    if (e.dirty !== null) e.dirtyInOrder = dirtyNodesInOrder(world, e.dirty);
    this.checkedOnce = true;
    // The verifying set must not schedule its own deadline events: the run would differ from a plain one.
    const full = this.verify === null ? null : { ...this.env(null), wakeAt: () => {} };
    const invariants = this.invariants;
    for (let i = 0; i < invariants.length; i++) {
      const inv = invariants[i]!;
      const v = inv.check(e);
      if (full !== null) {
        const expected = this.verify![i]!.check(full);
        if (JSON.stringify(v) !== JSON.stringify(expected)) {
          throw new Error(
            `invariant monitor: incremental ${inv.name} at t=${now} ms gave ${JSON.stringify(v)}, ` +
              `a full check ${JSON.stringify(expected)}`,
          );
        }
      }
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

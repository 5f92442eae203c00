// The shape of an invariant: a check run after every event that returns the violation it sees now (or
// null), plus an optional final check at the end of the run. A violation is recorded once per episode:
// when the check goes from clean to violated, not on every event while it stays violated.
import type { SimNode, World } from '../cluster/world.js';
import type { FaultRegistry } from '../faults/registry.js';
import type { InvariantName } from '../scenario/types.js';

export interface Violation {
  nodes: string[];
  message: string;
}

export interface InvariantEnv {
  world: World;
  faults: FaultRegistry;
  now: number;
  /** The version the upgrade targets, if any. */
  target: string | null;
  /** The version the cluster started on. */
  initial: string;
  /**
   * Ask for a check at `atMs` (a scheduled event, DESIGN.md invariants): a deadline is checked at the
   * deadline, not at whatever unrelated event comes next. Times in the past or beyond the run are ignored.
   */
  wakeAt(atMs: number): void;
  /**
   * The nodes that may have changed since the previous check (marked by the world from actor transitions
   * and emitted effects), or null: look at every node. Per-node invariants keep what they saw of each
   * node and update only these, so a check costs what changed, not the cluster's size.
   */
  dirty: ReadonlySet<string> | null;
  /**
   * `dirty` as nodes in the world's order, when the caller computed it once for every invariant of an
   * event (the monitor does); nodesToCheck sorts `dirty` itself otherwise.
   */
  dirtyInOrder?: readonly SimNode[];
}

export interface Invariant {
  readonly name: InvariantName;
  /** Liveness invariants are reported separately from safety ones. */
  readonly liveness: boolean;
  check(env: InvariantEnv): Violation | null;
  /** Called once at the end (or at the liveness deadline); may report what `check` cannot see. */
  finish?(env: InvariantEnv): Violation | null;
}

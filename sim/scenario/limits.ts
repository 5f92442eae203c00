// Limits a scenario can hit, in one place so the loader checks them before any work and the README can
// list them (issue 11: no run is cut short silently; STYLE.md habit 6, a bound on everything). Each limit
// is checked at load time where the scenario alone decides it; the event cap is also enforced at run time,
// where reaching it stops the run early and the CLI says so with its own exit code.

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * Cluster sizes (issue 8). Etcd needs no more than a handful of control planes (99 keeps every quorum
 * sum small). 3 control planes + 1,000 workers ran a 2-hour rollout in 51 MB of heap and about 74 s on a
 * loaded 2-core machine; 10,000 workers are accepted (heap grows linearly per node, so memory is not the
 * limit) but take hours, because the events of a rollout grow with the node count. A policy's `parallel`
 * is bounded by the worker count, so `naive` (everything at once) stays possible.
 */
export const MAX_CONTROL_PLANES = 99;
export const MAX_WORKERS = 10_000;

/** A scenario file larger than this is refused unread (1 MiB; the largest bundled one is ~3 KiB). */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

/** Deeper YAML nesting than this is refused before it can exhaust the parser's stack. */
export const MAX_YAML_DEPTH = 64;

/** YAML alias expansions per document; more is an alias bomb. */
export const MAX_YAML_ALIASES = 1000;

/** No duration anywhere in a scenario may exceed this (one year; also keeps every sum a safe integer). */
export const MAX_DURATION_MS = 365 * DAY_MS;

/** Events a run may execute; reaching the cap stops the run early (never a PASS). */
export const MAX_EVENTS = 5_000_000;

/** Checkpoints a run may write: each holds the whole cluster state, so they dominate the trace size. */
export const MAX_CHECKPOINTS = 100_000;

/** The smallest checkpoint interval: a checkpoint per virtual millisecond is a 9 GB trace. */
export const MIN_CHECKPOINT_EVERY_MS = SECOND_MS;

/** The workload writes on a whole-millisecond tick, so 1000 writes/s is the most it can do. */
export const MAX_WRITES_PER_SECOND = 1000;

/** How far the rate the millisecond tick actually achieves may drift from the rate asked for. */
export const MAX_WRITE_RATE_ERROR = 0.01;

/** Per-node and per-call timings (boot stages, drain, install) are bounded by a day ... */
export const MAX_TIMING_MS = DAY_MS;

/** ... and one node API round trip by a minute. */
export const MAX_API_MS = MINUTE_MS;

/** Policy timeouts: zero would fail every node at once. */
export const MIN_POLICY_TIMEOUT_MS = SECOND_MS;

/** The workload's tick in whole virtual milliseconds for a rate (the simulator and the loader share it). */
export function writePeriodMs(writesPerSecond: number): number {
  return Math.max(1, Math.round(1000 / writesPerSecond));
}

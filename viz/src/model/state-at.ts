// The cluster state at any time: the nearest trace checkpoint at or before t, plus the events after it
// (DESIGN.md: checkpoints let a viewer seek without replaying from zero). Write counters come from the
// prefix sums of the write columns.
import type { AnyEvent } from '../trace/events.js';
import type { Model, Snapshot } from './build.js';
import { applyEvent, cloneView, initialView, type ClusterView } from './state.js';
import { writesUpTo } from './writes.js';

/** Index of the last snapshot at or before tMs, or -1. */
export function snapshotBefore(snapshots: readonly Snapshot[], tMs: number): number {
  let lo = 0;
  let hi = snapshots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (snapshots[mid]!.tMs <= tMs) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the first event with t > tMs, searching from `from`. */
export function eventsUpTo(events: readonly AnyEvent[], tMs: number, from = 0): number {
  let lo = from;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.t <= tMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * State after every line with t <= tMs. Events at the same time as a checkpoint but before it in the
 * file are already in the checkpoint; events after it (higher seq) are applied.
 */
export function stateAt(model: Model, tMs: number): ClusterView {
  const si = snapshotBefore(model.snapshots, tMs);
  const snap = si >= 0 ? model.snapshots[si]! : null;
  const view = snap ? cloneView(snap.view) : initialView(model.header);
  const members = new Map<string, string>(snap ? snap.members : []);
  const end = eventsUpTo(model.events, tMs, snap ? snap.eventIndex : 0);
  for (let i = snap ? snap.eventIndex : 0; i < end; i++) applyEvent(view, model.events[i]!, members);
  const w = writesUpTo(model.writes, tMs);
  view.writesOk = w.ok;
  view.writesFailed = w.failed;
  view.commitIndex = Math.max(view.commitIndex, w.index);
  view.t = tMs;
  return view;
}

// Checks on what a scenario *means*, run on the normalised form after the shape is known to be right:
// settings that would silently do nothing, limits the run would hit, and expectations that could be met
// without the run showing anything (issue 11, items 2, 4, 5 and 6). Each problem names the field to fix.
import { formatMs } from '../engine/duration.js';
import { eventFields, isTraceEventType, NODE_STATES, TRACE_EVENT_TYPES } from '../trace/fields.js';
import { MAX_CHECKPOINTS, MAX_EVENTS, MAX_WRITE_RATE_ERROR, writePeriodMs } from './limits.js';
import type { EventMatcher, Scenario } from './types.js';

export interface PathProblem {
  path: (string | number)[];
  message: string;
  /** Point at the key of the last path segment rather than its value. */
  atKey?: boolean;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const count = (n: number) => n.toLocaleString('en-US');

export function checkMeaning(s: Scenario, raw: unknown): PathProblem[] {
  const out: PathProblem[] = [];
  const r = obj(raw);
  limits(s, r, out);
  doNothing(s, r, out);
  if (s.expect) expectations(s, r, out);
  return out;
}

/** Limits the run would hit, decided by the scenario alone (events, checkpoints, the workload's clock). */
function limits(s: Scenario, r: Obj, out: PathProblem[]): void {
  const rate = s.workload.etcdWritesPerSecond;
  let writes = 0;
  if (rate > 0) {
    const periodMs = writePeriodMs(rate);
    const actual = 1000 / periodMs;
    if (Math.abs(actual - rate) / rate > MAX_WRITE_RATE_ERROR) {
      out.push({
        path: ['workload', 'etcdWritesPerSecond'],
        message:
          `the workload writes on a whole-millisecond tick, so ${rate} writes/s would run at ` +
          `${Number(actual.toFixed(3))} writes/s (one every ${periodMs} ms); use 1000/N writes/s for a whole N`,
      });
    }
    // Batched writes (the default) run between events, not as events: only per-write ones count here.
    if (s.workload.trace === 'each') writes = Math.floor(s.durationMs / periodMs);
  }
  const checkpoints = Math.floor(s.durationMs / s.checkpointEveryMs);
  if (checkpoints > MAX_CHECKPOINTS) {
    out.push({
      path: r.checkpointEvery === undefined ? ['duration'] : ['checkpointEvery'],
      message:
        `a checkpoint every ${formatMs(s.checkpointEveryMs)} for ${formatMs(s.durationMs)} is ` +
        `${count(checkpoints)} checkpoints; at most ${count(MAX_CHECKPOINTS)} fit in a trace`,
    });
  }
  if (writes + checkpoints > MAX_EVENTS) {
    out.push({
      path: ['duration'],
      message:
        `this run would execute at least ${count(writes + checkpoints)} events ` +
        `(${count(writes)} workload writes at ${rate}/s, ${count(checkpoints)} checkpoints), ` +
        `over the cap of ${count(MAX_EVENTS)} events per run: shorten the duration or lower ` +
        `workload.etcdWritesPerSecond`,
    });
  }
}

/** Settings that would be accepted and then do nothing at all. */
function doNothing(s: Scenario, r: Obj, out: PathProblem[]): void {
  const until = s.liveness.faultsUntilMs;
  const untilText = `faultsUntil (${formatMs(until)}), when the liveness phase stops every fault`;
  // What a single fault kind's fields mean (a version no node boots, a worker given an etcd fault) is
  // checked by the kind's own parser (sim/faults/, STYLE.md habit 12); here only what spans the scenario.

  if (s.upgrade && s.upgrade.to === s.cluster.version) {
    out.push({
      path: ['upgrade', 'to'],
      message: `the cluster already runs ${s.cluster.version}: this upgrade would do nothing`,
    });
  }
  const rawFaults = Array.isArray(r.faults) ? r.faults : [];
  s.faults.forEach((f, i) => {
    const rawFault = obj(rawFaults[i]);
    // A fault at exactly faultsUntil still starts (and is ended at once, which can reboot a node); one after it
    // is ignored by the fault registry.
    if (f.atMs > until) {
      out.push({
        path: rawFault.at === undefined ? ['faults', i] : ['faults', i, 'at'],
        message: `this fault starts at ${formatMs(f.atMs)}, after ${untilText}: it would never happen`,
      });
    }
  });
  if (s.random && s.random.fromMs >= until) {
    out.push({
      path: obj(r.random).from === undefined ? ['random'] : ['random', 'from'],
      message: `random faults from ${formatMs(s.random.fromMs)} would start no earlier than ${untilText}: none would happen`,
    });
  }
}

/** An `expect:` block must say something, and only about events, fields and states that exist. */
function expectations(s: Scenario, r: Obj, out: PathProblem[]): void {
  const e = s.expect!;
  // `holds` is filled in by the loader (strict expectations: every checked invariant not expected to be
  // violated must hold), so count what the file itself lists.
  const rawHolds = obj(r.expect).holds;
  const checks =
    e.violations.length +
    (Array.isArray(rawHolds) ? rawHolds.length : 0) +
    Object.keys(e.finalVersions).length +
    (e.writesLostMax === null ? 0 : 1) +
    e.learners.length +
    Object.keys(e.finalStates).length +
    e.events.length +
    e.absentEvents.length;
  if (checks === 0) {
    out.push({
      path: ['expect'],
      message:
        'is empty: every run would meet it, violations included; list what the run must show, or remove it',
      atKey: true,
    });
  }
  const states = NODE_STATES as readonly string[];
  for (const [node, state] of Object.entries(e.finalStates)) {
    if (!states.includes(state)) {
      out.push({
        path: ['expect', 'finalStates', node],
        message: `no node is ever in state '${state}'${didYouMean(state, states)} (states: ${states.join(', ')})`,
      });
    }
  }
  // One matcher (or an `after:`/`before:` anchor inside one): a known event type, and only fields that
  // event type has, so that a typo cannot make a matcher that never matches (and so is always "absent").
  const matcher = (m: EventMatcher, raw: Obj, path: (string | number)[], ordering: boolean) => {
    if (!isTraceEventType(m.type)) {
      out.push({
        path: [...path, 'type'],
        message:
          `unknown event type '${m.type}'${didYouMean(m.type, TRACE_EVENT_TYPES)} ` +
          `(event types: ${TRACE_EVENT_TYPES.join(', ')})`,
      });
      return;
    }
    const fields = eventFields(m.type);
    for (const field of Object.keys(raw)) {
      if (field === 'type' || fields.includes(field)) continue;
      if (ordering && (field === 'after' || field === 'before' || field === 'within')) continue;
      out.push({
        path: [...path, field],
        message:
          `event type '${m.type}' has no field '${field}'${didYouMean(field, fields)} ` +
          `(fields: ${fields.join(', ')}); a matcher on it could never match`,
        atKey: true,
      });
    }
    if (m.after) matcher(m.after, obj(raw.after), [...path, 'after'], false);
    if (m.before) matcher(m.before, obj(raw.before), [...path, 'before'], false);
  };
  const matchers = (key: 'events' | 'absentEvents', list: EventMatcher[]) => {
    const rawList = Array.isArray(obj(r.expect)[key]) ? (obj(r.expect)[key] as unknown[]) : [];
    list.forEach((m, i) => matcher(m, obj(rawList[i]), ['expect', key, i], true));
  };
  matchers('events', e.events);
  matchers('absentEvents', e.absentEvents);
}

/** " (did you mean 'x'?)" for the closest candidate within two edits, else ''. */
function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | null = null;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best === null ? '' : `; did you mean '${best}'?`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

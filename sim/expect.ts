// Checking a scenario's `expect:` block against a run: which invariants must be violated or hold, and the
// final facts (versions, learners, lost writes). Each expectation is reported as met or not.
import type { SimulateResult } from './simulate.js';
import type { EventMatcher, Expectation } from './scenario/types.js';
import type { TraceEvent } from './trace/types.js';
import { formatMs } from './engine/duration.js';

export interface ExpectationResult {
  what: string;
  met: boolean;
  actual: string;
}

/** Does a trace event match? `type` exactly; every other field as a substring of the event's field. */
export function matches(m: EventMatcher, e: TraceEvent): boolean {
  if (e.type !== m.type) return false;
  const rec = e as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(m.fields)) {
    const actual = rec[k];
    if (actual === undefined || actual === null || !String(actual).includes(v)) return false;
  }
  return true;
}

function describePlain(m: EventMatcher): string {
  const fields = Object.entries(m.fields).map(([k, v]) => `${k}~${JSON.stringify(v)}`);
  return `${m.type}${fields.length ? ` {${fields.join(', ')}}` : ''}`;
}

function describe(m: EventMatcher): string {
  const parts = [describePlain(m)];
  if (m.after) parts.push(`after ${describePlain(m.after)}`);
  if (m.withinMs !== undefined) parts.push(`within ${formatMs(m.withinMs)}`);
  if (m.before) parts.push(`before ${describePlain(m.before)}`);
  return parts.join(' ');
}

function brief(e: TraceEvent): string {
  const { kind: _k, seq: _s, ...rest } = e;
  return JSON.stringify(rest);
}

/**
 * One `events`/`absentEvents` entry followed through a run. An event counts when it matches and lies in
 * the entry's window: strictly after the first `after` anchor, no later than `within` past that anchor
 * (or past the run's start), and strictly before the first `before` anchor. Order is the trace's
 * (time, seq) order, so two events at the same millisecond are still ordered.
 */
class MatcherWatch {
  anchorAfter: TraceEvent | null = null;
  anchorBefore: TraceEvent | null = null;
  hit: TraceEvent | null = null;
  constructor(readonly m: EventMatcher) {}

  see(e: TraceEvent): void {
    const m = this.m;
    if (m.after && !this.anchorAfter && matches(m.after, e)) this.anchorAfter = e;
    if (m.before && !this.anchorBefore && matches(m.before, e)) this.anchorBefore = e;
    if (this.hit || !matches(m, e)) return;
    if (m.after && (!this.anchorAfter || e.seq <= this.anchorAfter.seq)) return;
    if (m.before && this.anchorBefore && this.anchorBefore.seq <= e.seq) return;
    if (m.withinMs !== undefined && e.t > (this.anchorAfter?.t ?? 0) + m.withinMs) return;
    this.hit = e;
  }

  /** For `events`: the event happened in its window, and every anchor it names happened. */
  happened(): ExpectationResult {
    const m = this.m;
    const what = `event ${describe(m)} happens`;
    if (m.after && !this.anchorAfter)
      return { what, met: false, actual: `${describePlain(m.after)} never happened` };
    if (m.before && !this.anchorBefore)
      return { what, met: false, actual: `${describePlain(m.before)} never happened` };
    const e = this.hit;
    return { what, met: !!e, actual: e ? `first at ${e.t} ms: ${brief(e)}` : 'never happened in its window' };
  }

  /** For `absentEvents`: no matching event in the window (an `after` anchor that never came leaves none). */
  absent(): ExpectationResult {
    const e = this.hit;
    return {
      what: `event ${describe(this.m)} never happens`,
      met: !e,
      actual: e ? `happened at ${e.t} ms: ${brief(e)}` : 'never happened',
    };
  }
}

/**
 * Watches a run's events for the `events` / `absentEvents` expectations (pass `onEvent` to simulate()),
 * then checks everything against the result.
 */
export function expectationWatcher(expect: Expectation) {
  const present = expect.events.map((m) => new MatcherWatch(m));
  const absent = expect.absentEvents.map((m) => new MatcherWatch(m));
  return {
    onEvent(e: TraceEvent): void {
      for (const w of present) w.see(e);
      for (const w of absent) w.see(e);
    },
    check(r: SimulateResult): ExpectationResult[] {
      const out = checkExpectations(expect, r);
      for (const w of present) out.push(w.happened());
      for (const w of absent) out.push(w.absent());
      return out;
    },
  };
}

/** The expectations that need only the run's result (not its events). */
export function checkExpectations(expect: Expectation, r: SimulateResult): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const violated = new Set(r.violations.map((v) => v.invariant));
  for (const inv of expect.violations) {
    const first = r.violations.find((v) => v.invariant === inv);
    out.push({
      what: `${inv} is violated`,
      met: !!first,
      actual: first ? `at ${first.t} ms: ${first.message}` : 'never violated',
    });
  }
  for (const inv of expect.holds) {
    const first = r.violations.find((v) => v.invariant === inv);
    out.push({
      what: `${inv} holds`,
      met: !violated.has(inv),
      actual: first ? `violated at ${first.t} ms: ${first.message}` : 'held',
    });
  }
  for (const [node, version] of Object.entries(expect.finalVersions)) {
    const actual = r.final.versions[node] ?? null;
    out.push({
      what: `${node} ends on ${version}`,
      met: actual === version,
      actual: `${node} ends on ${actual ?? 'nothing (not running)'}`,
    });
  }
  if (expect.writesLostMax !== null) {
    out.push({
      what: `writes lost <= ${expect.writesLostMax}`,
      met: r.metrics.writesLost <= expect.writesLostMax,
      actual: `${r.metrics.writesLost} lost`,
    });
  }
  for (const [node, state] of Object.entries(expect.finalStates)) {
    const actual = r.final.states[node] ?? '?';
    out.push({
      what: `${node} ends in state ${state}`,
      met: actual === state,
      actual: `${node} ends in ${actual}`,
    });
  }
  for (const node of expect.learners) {
    out.push({
      what: `${node} is stuck as an etcd learner`,
      met: r.final.learners.includes(node),
      actual: `learners: [${r.final.learners.join(', ')}]`,
    });
  }
  return out;
}

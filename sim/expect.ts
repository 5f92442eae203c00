// Checking a scenario's `expect:` block against a run: which invariants must be violated or hold, and the
// final facts (versions, learners, lost writes). Each expectation is reported as met or not.
import type { SimulateResult } from './simulate.js';
import type { EventMatcher, Expectation } from './scenario/types.js';
import type { TraceEvent } from './trace/types.js';

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

function describe(m: EventMatcher): string {
  const fields = Object.entries(m.fields).map(([k, v]) => `${k}~${JSON.stringify(v)}`);
  return `${m.type}${fields.length ? ` {${fields.join(', ')}}` : ''}`;
}

function brief(e: TraceEvent): string {
  const { kind: _k, seq: _s, ...rest } = e;
  return JSON.stringify(rest);
}

/**
 * Watches a run's events for the `events` / `absentEvents` expectations (pass `onEvent` to simulate()),
 * then checks everything against the result.
 */
export function expectationWatcher(expect: Expectation) {
  const firstSeen: (TraceEvent | null)[] = expect.events.map(() => null);
  const firstAbsent: (TraceEvent | null)[] = expect.absentEvents.map(() => null);
  return {
    onEvent(e: TraceEvent): void {
      for (let i = 0; i < expect.events.length; i++) {
        if (firstSeen[i] === null && matches(expect.events[i]!, e)) firstSeen[i] = e;
      }
      for (let i = 0; i < expect.absentEvents.length; i++) {
        if (firstAbsent[i] === null && matches(expect.absentEvents[i]!, e)) firstAbsent[i] = e;
      }
    },
    check(r: SimulateResult): ExpectationResult[] {
      const out = checkExpectations(expect, r);
      expect.events.forEach((m, i) => {
        const e = firstSeen[i];
        out.push({
          what: `event ${describe(m)} happens`,
          met: !!e,
          actual: e ? `first at ${e.t} ms: ${brief(e)}` : 'never happened',
        });
      });
      expect.absentEvents.forEach((m, i) => {
        const e = firstAbsent[i];
        out.push({
          what: `event ${describe(m)} never happens`,
          met: !e,
          actual: e ? `happened at ${e.t} ms: ${brief(e)}` : 'never happened',
        });
      });
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

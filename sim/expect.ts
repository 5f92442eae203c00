// Checking a scenario's `expect:` block against a run: which invariants must be violated or hold, and the
// final facts (versions, learners, lost writes). Each expectation is reported as met or not.
import type { SimulateResult } from './simulate.js';
import type { Expectation } from './scenario/types.js';

export interface ExpectationResult {
  what: string;
  met: boolean;
  actual: string;
}

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
  for (const node of expect.learners) {
    out.push({
      what: `${node} is stuck as an etcd learner`,
      met: r.final.learners.includes(node),
      actual: `learners: [${r.final.learners.join(', ')}]`,
    });
  }
  return out;
}

// One helper that turns "this scenario, with faults drawn like this, never violates these invariants"
// into a fast-check property, and a failure into a scenario file. Use it with fc.assert / fc.check, or
// with @fast-check/vitest (`test.prop([arb])(name, (draw) => assertHolds(base, draw, ['quorum']))`).
import fc from 'fast-check';
import {
  counterexampleComment,
  firstViolation,
  runScenarioText,
  scenarioText,
  type CaseDraw,
  type FoundViolation,
  type RunWatch,
} from './counterexample.js';

/** Thrown by `assertHolds` when a drawn case violates an invariant; carries the scenario text. */
export class ScenarioPropertyError extends Error {
  constructor(
    readonly violation: FoundViolation,
    readonly scenario: string,
  ) {
    super(`${violation.invariant} violated at ${violation.t} ms: ${violation.message}`);
    this.name = 'ScenarioPropertyError';
  }
}

/** Run the base scenario with the draw written into it; throw if one of `invariants` is violated. */
export function assertHolds(
  baseText: string,
  draw: CaseDraw,
  invariants: readonly string[],
  watch: RunWatch = {},
): void {
  const text = scenarioText(baseText, draw);
  const v = firstViolation(runScenarioText(text, 'property.yaml', watch), invariants);
  if (v) throw new ScenarioPropertyError(v, text);
}

/** A fast-check property over drawn cases of one base scenario. */
export function scenarioProperty(
  baseText: string,
  arb: fc.Arbitrary<CaseDraw>,
  invariants: readonly string[],
  watch: RunWatch = {},
): fc.IPropertyWithHooks<[CaseDraw]> {
  return fc.property(arb, (draw) => assertHolds(baseText, draw, invariants, watch));
}

export interface CheckResult {
  failed: boolean;
  numRuns: number;
  /** The shrunk case, as a scenario file with its header comment; null when the property held. */
  counterexampleFile: string | null;
  shrunk: CaseDraw | null;
  violation: FoundViolation | null;
  seed: number;
  path: string | null;
}

/** Check a property and, on failure, return the shrunk counterexample as a ready-to-save scenario file. */
export function checkScenario(
  baseText: string,
  arb: fc.Arbitrary<CaseDraw>,
  invariants: readonly string[],
  params: { seed: number; numRuns: number; fileName?: string } & RunWatch,
): CheckResult {
  const watch = params.coverage ? { coverage: params.coverage } : {};
  const details = fc.check(scenarioProperty(baseText, arb, invariants, watch), {
    seed: params.seed,
    numRuns: params.numRuns,
  });
  if (!details.failed || !details.counterexample) {
    return {
      failed: details.failed,
      numRuns: details.numRuns,
      counterexampleFile: null,
      shrunk: null,
      violation: null,
      seed: params.seed,
      path: null,
    };
  }
  const [draw] = details.counterexample;
  const err = details.errorInstance;
  if (!(err instanceof ScenarioPropertyError)) throw err;
  const comment = counterexampleComment({
    seed: params.seed,
    path: details.counterexamplePath ?? undefined,
    violation: err.violation,
    file: params.fileName,
  });
  return {
    failed: true,
    numRuns: details.numRuns,
    counterexampleFile: scenarioText(baseText, draw, comment),
    shrunk: draw,
    violation: err.violation,
    seed: params.seed,
    path: details.counterexamplePath,
  };
}

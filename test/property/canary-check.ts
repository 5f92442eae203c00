// The check every canary file runs: the planted bug must be caught by its property within a known number
// of runs, shrunk to a known number of faults (both asserted; measured at PROPERTY_SEED and written as
// bounds, so that an unrelated model change does not break them). One file per canary keeps each file
// short on a shared 2-core machine.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CANARIES } from './canaries.js';
import { PROPERTIES, PROPERTY_SEED, propertyOf } from './properties.js';

/**
 * A bound on shrinking (every step is a whole simulation): past it, the smallest failing case found so far
 * is the counterexample, and its size must still be within the asserted bound.
 */
const SHRINK_TIME_LIMIT_MS = 15_000;

export function describeCanary(bug: string): void {
  const c = CANARIES.find((x) => x.bug === bug);
  if (!c) throw new Error(`describeCanary: no canary '${bug}'`);
  describe(`canary: ${c.bug}`, () => {
    it(
      `'${c.property}' catches it within ${c.caughtWithinRuns} runs, shrunk to ${c.shrunkFaults.min}..${c.shrunkFaults.max} faults`,
      { timeout: 120_000 },
      () => {
        // The property's own CI run is long enough to catch the bug when it is planted in the source.
        expect(PROPERTIES[c.property]!.numRuns).toBeGreaterThanOrEqual(c.caughtWithinRuns);
        const property = propertyOf(PROPERTIES[c.property]!, c.hooks, c.policy);
        // Find: no shrinking, so the run count is the one that found it.
        const found = fc.check(property, {
          seed: PROPERTY_SEED,
          numRuns: c.caughtWithinRuns,
          endOnFailure: true,
        });
        expect(found.failed).toBe(true);
        // Shrink: replay from the failing case's path and shrink it, bounded in time.
        const d = fc.check(property, {
          seed: PROPERTY_SEED,
          path: found.counterexamplePath!,
          interruptAfterTimeLimit: SHRINK_TIME_LIMIT_MS,
          markInterruptAsFailure: false,
        });
        expect(d.failed).toBe(true);
        expect(String(d.errorInstance)).toMatch(c.message);
        const faults = d.counterexample![0].faults;
        console.log(
          `${c.bug}: caught at run ${found.numRuns}, shrunk to ${faults.length} fault(s) in ${d.numShrinks} steps`,
        );
        expect(faults.length).toBeGreaterThanOrEqual(c.shrunkFaults.min);
        expect(faults.length).toBeLessThanOrEqual(c.shrunkFaults.max);
      },
    );
  });
}

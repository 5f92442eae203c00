// Planted bug "quorum excuse ignored": the quorum invariant excuses fault-made quorum loss even when the
// scenario says `quorumTolerateFaults: false`. The invariant is a plain function, not a machine, so the
// broken variant replaces it with `vi.mock` in this file only; production code has no hook for it.
// The 'quorum-strict' property must catch it: its oracle (the run's measured time without quorum) and
// the invariant's verdict stop agreeing.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { PROPERTIES, PROPERTY_SEED, propertyOf } from './properties.js';

vi.mock('../../sim/invariants/quorum.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../sim/invariants/quorum.js')>();
  return {
    ...real,
    // The bug: the scenario's `quorumTolerateFaults` is dropped and the excuse always applies.
    quorumInvariant: (_tolerateFaults: boolean, controlPlanes: readonly string[]) =>
      real.quorumInvariant(true, controlPlanes),
  };
});

/** The budget and the shrunk size this canary must be caught within (measured, then asserted). */
const CAUGHT_WITHIN_RUNS = 25;
const SHRUNK_FAULTS_MAX = 2;

describe('canary: quorum excuse ignored', () => {
  it(`'quorum-strict' catches it within ${CAUGHT_WITHIN_RUNS} runs, shrunk to <= ${SHRUNK_FAULTS_MAX} faults`, () => {
    const d = fc.check(propertyOf(PROPERTIES['quorum-strict']!), {
      seed: PROPERTY_SEED,
      numRuns: CAUGHT_WITHIN_RUNS,
    });
    expect(d.failed).toBe(true);
    expect(PROPERTIES['quorum-strict']!.numRuns).toBeGreaterThanOrEqual(CAUGHT_WITHIN_RUNS);
    expect(String(d.errorInstance)).toMatch(/without quorum, but no quorum violation/);
    const faults = d.counterexample![0].faults;
    console.log(`quorum excuse ignored: caught at run ${d.numRuns}, shrunk to ${faults.length} fault(s)`);
    // Losing quorum to faults needs at least one fault; the shrinker must get down to very few.
    expect(faults.length).toBeGreaterThanOrEqual(1);
    expect(faults.length).toBeLessThanOrEqual(SHRUNK_FAULTS_MAX);
  });
});

// Planted bug "boot-once fault not used up": an image that the firmware cannot load once (a `powercycle`
// failedBoot with `times: 1`, T#11909) keeps failing on every pass through firmware, because the
// bootloader's slot choice never spends the fault. The choice is a plain function (models/bootloader.ts),
// so the broken variant replaces it with `vi.mock` in this file only. The 'convergence' property must
// catch it: with a fault that ends, a retrying rollout must still reach the target (F§7, liveness).
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { PROPERTIES, PROPERTY_SEED, propertyOf } from './properties.js';

vi.mock('../../models/bootloader.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../models/bootloader.js')>();
  return {
    ...real,
    // The bug: the decision is right, but the faults it returns are the ones it was given (none spent).
    chooseSlot: (...args: Parameters<typeof real.chooseSlot>) => ({
      ...real.chooseSlot(...args),
      faults: args[3],
    }),
  };
});

const CAUGHT_WITHIN_RUNS = 60;
const SHRUNK_FAULTS_MAX = 2;

describe('canary: boot-once fault not used up', () => {
  it(`'convergence' catches it within ${CAUGHT_WITHIN_RUNS} runs, shrunk to <= ${SHRUNK_FAULTS_MAX} faults`, () => {
    const d = fc.check(propertyOf(PROPERTIES.convergence!), {
      seed: PROPERTY_SEED,
      numRuns: CAUGHT_WITHIN_RUNS,
    });
    expect(d.failed).toBe(true);
    expect(PROPERTIES['convergence']!.numRuns).toBeGreaterThanOrEqual(CAUGHT_WITHIN_RUNS);
    const faults = d.counterexample![0].faults;
    console.log(
      `boot-once fault not used up: caught at run ${d.numRuns}, shrunk to ${faults.length} fault(s)`,
    );
    // The shrunk case keeps the one-shot firmware fault that the bug never spends.
    expect(faults.some((f) => f.type === 'failedBoot' && f.stage === 'powercycle' && f.times === 1)).toBe(
      true,
    );
    expect(faults.length).toBeLessThanOrEqual(SHRUNK_FAULTS_MAX);
  });
});

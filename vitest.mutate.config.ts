import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// The tests Stryker runs against each mutant (`npm run mutate`, README "Mutation testing"): the unit tests
// of the mutated folders (models/, sim/invariants/, sim/orchestrator/, sim/faults/) and of the cluster,
// expect and run code that drives them, plus the regression library. Left out because they are slow and add
// no assertions on these folders' behaviour: the determinism/traceless/write-batching equivalence suites
// (they compare two runs of the same code, so a mutant changes both sides alike), the real-etcd
// differential suites, e2e/browser and the long property files.
const INCLUDE = [
  'test/unit/models/**/*.test.ts',
  'test/unit/invariants/**/*.test.ts',
  'test/unit/orchestrator/**/*.test.ts',
  'test/unit/faults/**/*.test.ts',
  'test/unit/cluster/**/*.test.ts',
  'test/unit/expect/**/*.test.ts',
  'test/unit/run/**/*.test.ts',
  'test/regression/**/*.test.ts',
];

/**
 * A folder whose tests run before all others (e.g. `MUTATE_FIRST=test/unit/orchestrator` while mutating
 * sim/orchestrator/): the unit tests of the mutated code then kill its mutants before any slower test runs.
 */
const FIRST = process.env.MUTATE_FIRST ?? null;
/**
 * A quick run (MUTATE_QUICK=1 in stryker.config.mjs): only that folder's unit tests. Its survivors are the
 * ones those tests miss; the next full run (same incremental file) keeps the kills and retests only them.
 */
const ONLY_FIRST = FIRST !== null && process.env.MUTATE_ONLY_FIRST === '1';

/**
 * Files in the order of INCLUDE (the regression library last), not vitest's default (slowest first): a
 * mutant stops at its first failing test (bail), so the fast unit tests kill most mutants in milliseconds
 * and only the survivors pay for the whole set.
 */
class FastFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      // In that folder, tests that run whole simulations go after the unit tests proper.
      if (FIRST !== null && f.moduleId.includes(`/${FIRST}/`))
        return readFileSync(f.moduleId, 'utf8').includes('sim/simulate.js') ? -1 : -2;
      const i = INCLUDE.findIndex((p) => f.moduleId.includes(`/${p.slice(0, p.indexOf('*'))}`));
      return i < 0 ? INCLUDE.length : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: ONLY_FIRST ? [`${FIRST}/**/*.test.ts`] : INCLUDE,
    sequence: { sequencer: FastFirst },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

// Mutation testing (`npm run mutate`, README "Mutation testing"; issue 7). Survivors judged equivalent are
// listed with their reasons in reports/equivalent-mutants.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // The fast, relevant tests only, unit tests first (see the file).
  vitest: { configFile: 'vitest.mutate.config.ts' },
  // Each mutant runs only the tests that reached it in the initial run.
  coverageAnalysis: 'perTest',
  // TypeScript checking of each mutant is left out: a mutant that does not typecheck still runs (vitest
  // strips types), and the tests decide; a checker would double the time per mutant.
  checkers: [],
  mutate: ['models/**/*.ts', 'sim/invariants/**/*.ts', 'sim/orchestrator/**/*.ts', 'sim/faults/**/*.ts'],
  // Static mutants (in module-level code run once at import: the XState machine configs, constant tables)
  // would each need a fresh module reload and the whole test set, hours per folder on this machine; they are
  // reported as Ignored and not counted in the score. Their code is reached through the actions and guards
  // the configs name, which are mutated and counted.
  ignoreStatic: true,
  // Committed (not git-ignored) so a later run tests only the mutants whose code or tests changed.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['html', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'test-output/mutation/mutation.html' },
  // The machine is shared: one test runner, and `npm run mutate` runs under nice.
  concurrency: 1,
  timeoutMS: 10_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};

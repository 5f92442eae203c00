// Mutation testing (`npm run mutate`, README "Mutation testing"; issue 7). Survivors judged equivalent are
// listed with their reasons in reports/equivalent-mutants.md.
//
// One folder per run (MUTATE_FOLDER, set by mutate.sh): each folder has its own incremental file and HTML
// report, so folders can be measured one at a time (or side by side) and each run only retests what changed
// in its folder. Without MUTATE_FOLDER the four folders run together into reports/stryker-incremental/all.json.
const FOLDERS = ['models', 'sim/invariants', 'sim/orchestrator', 'sim/faults'];
const folder = process.env.MUTATE_FOLDER ?? null;
if (folder !== null && !FOLDERS.includes(folder)) {
  throw new Error(`MUTATE_FOLDER must be one of ${FOLDERS.join(', ')}, not '${folder}'`);
}
const slug = folder === null ? 'all' : folder.replace('/', '-');
// The mutated folder's own unit tests run first (vitest.mutate.config.ts reads this; the test runner
// process inherits it): they kill most mutants before any slower test starts.
if (folder !== null) process.env.MUTATE_FIRST = `test/unit/${folder.replace(/^sim\//, '')}`;
// MUTATE_QUICK=1: the folder's own unit tests only (minutes instead of hours); a later full run with the
// same incremental file keeps the kills and retests the survivors against every test.
if (folder !== null && process.env.MUTATE_QUICK === '1') process.env.MUTATE_ONLY_FIRST = '1';

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
  mutate: (folder === null ? FOLDERS : [folder]).map((f) => `${f}/**/*.ts`),
  // Static mutants (in module-level code run once at import: the XState machine configs, constant tables)
  // would each need a fresh module reload and the whole test set, hours per folder on this machine; they are
  // reported as Ignored and not counted in the score. Their code is reached through the actions and guards
  // the configs name, which are mutated and counted.
  ignoreStatic: true,
  // Committed (not git-ignored) so a later run tests only the mutants whose code or tests changed.
  incremental: true,
  incrementalFile: `reports/stryker-incremental/${slug}.json`,
  reporters: ['html', 'clear-text', 'progress'],
  htmlReporter: { fileName: `test-output/mutation/${slug}.html` },
  // The machine is shared: one test runner, and `npm run mutate` runs under nice.
  concurrency: 1,
  timeoutMS: 10_000,
  // One sandbox per folder, so runs side by side neither copy nor clean up each other's.
  tempDirName: `.stryker-tmp-${slug}`,
  ignorePatterns: ['.stryker-tmp*', 'dist', 'test-output', 'traces'],
  cleanTempDir: true,
};

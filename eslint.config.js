// Lint set-up. The rules that matter most here are the determinism bans: nothing in models/ or sim/
// may read wall-clock time, randomness, timers or the environment, except the real-node adapter in
// sim/remote/ and the process entry point in sim/cli/ (DESIGN.md, determinism contract). They are
// enforced twice: here, statically, and at run time by test/unit/sim/determinism-runtime.test.ts.
import tseslint from 'typescript-eslint';

const clock = 'Use the virtual clock (scheduler.now).';
const random = 'Use a named PRNG stream from sim/engine/rng.ts.';
const timers = 'Use scheduler.after / the virtual Clock.';
const banned = [
  { object: 'Math', property: 'random', message: random },
  { object: 'Date', property: 'now', message: clock },
  { object: 'performance', property: 'now', message: clock },
  { object: 'performance', property: 'timeOrigin', message: clock },
  {
    object: 'process',
    property: 'env',
    message: 'Pass configuration in; models and sim read no environment.',
  },
  { object: 'process', property: 'hrtime', message: clock },
  { object: 'process', property: 'uptime', message: clock },
  { object: 'process', property: 'cpuUsage', message: clock },
  {
    object: 'process',
    property: 'memoryUsage',
    message: 'Memory figures differ between runs; measure in bench/.',
  },
  {
    object: 'process',
    property: 'argv',
    message: 'Pass configuration in; only sim/cli reads the command line.',
  },
  { property: 'randomUUID', message: random },
  { property: 'getRandomValues', message: random },
  { property: 'randomBytes', message: random },
  { property: 'randomInt', message: random },
  { property: 'randomFillSync', message: random },
];
const bannedGlobals = [
  { name: 'setTimeout', message: timers },
  { name: 'setInterval', message: timers },
  { name: 'setImmediate', message: timers },
  { name: 'queueMicrotask', message: timers },
  { name: 'performance', message: clock },
  { name: 'crypto', message: random },
];
// Reaching a banned global through the global object (globalThis.Math.random(), globalThis.setTimeout).
const viaGlobal = ['globalThis', 'global'].map((g) => `MemberExpression[object.name='${g}']`).join(', ');
const bannedSyntax = [
  { selector: "NewExpression[callee.name='Date']", message: clock },
  { selector: "CallExpression[callee.name='Date']", message: clock },
  {
    selector: viaGlobal,
    message: 'Do not reach globals through the global object: it hides clocks and randomness.',
  },
];
// Modules that bring clocks, randomness, the environment or the host into the engine.
const bannedModules = [
  { name: 'seedrandom', message: 'Only sim/engine/rng.ts seeds PRNGs; take a named stream from it.' },
  { name: 'os', message: 'The host is not part of a run.' },
  { name: 'node:os', message: 'The host is not part of a run.' },
  { name: 'perf_hooks', message: clock },
  { name: 'node:perf_hooks', message: clock },
  { name: 'timers', message: timers },
  { name: 'node:timers', message: timers },
  { name: 'timers/promises', message: timers },
  { name: 'node:timers/promises', message: timers },
  {
    name: 'crypto',
    importNames: ['randomUUID', 'randomBytes', 'randomInt', 'getRandomValues', 'randomFillSync', 'webcrypto'],
    message: random,
  },
  {
    name: 'node:crypto',
    importNames: ['randomUUID', 'randomBytes', 'randomInt', 'getRandomValues', 'randomFillSync', 'webcrypto'],
    message: random,
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'traces/', 'viz/dist/', '.stryker-tmp*/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Studies in experiments/ are pure too; only their entry scripts (run-*.ts) time and print.
    files: ['models/**/*.ts', 'sim/**/*.ts', 'experiments/**/*.ts'],
    ignores: ['sim/remote/**', 'sim/cli/**', 'experiments/run-*.ts'],
    rules: {
      'no-restricted-properties': ['error', ...banned],
      'no-restricted-globals': ['error', ...bannedGlobals],
      'no-restricted-syntax': ['error', ...bannedSyntax],
      'no-restricted-imports': ['error', { paths: bannedModules }],
    },
  },
  {
    // viz/ reads trace files and imports only the *types* of the trace format (STYLE.md habit 1).
    files: ['viz/**/*.ts'],
    ignores: ['viz/vite.config.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/sim/trace/types.js'],
              allowTypeImports: true,
              message: 'viz/ imports only types from sim/trace/types.ts (use `import type`).',
            },
            {
              group: ['**/sim/**', '!**/sim/trace/types.js', '**/models/**', '**/test/**', 'node:*'],
              message: 'viz/ reads trace files: it imports only the types of sim/trace/types.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The one place that seeds PRNGs.
    files: ['sim/engine/rng.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: bannedModules.filter((m) => m.name !== 'seedrandom') }],
    },
  },
  {
    // models/ is pure: an allowlist, not a denylist. It imports xstate and its own files only.
    files: ['models/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!xstate$|\\./)',
              message: 'models/ is pure: it imports xstate and its own files (./x.js) only.',
            },
          ],
        },
      ],
    },
  },
);

// Lint set-up. The one rule that matters most here is the determinism ban: nothing in models/ or sim/
// may read wall-clock time, Math.random, timers or the environment, except the real-node adapter in
// sim/remote/ and the process entry point in sim/cli/ (DESIGN.md, determinism contract).
import tseslint from 'typescript-eslint';

const banned = [
  { object: 'Math', property: 'random', message: 'Use a named PRNG stream from sim/engine/rng.ts.' },
  { object: 'Date', property: 'now', message: 'Use the virtual clock (scheduler.now).' },
  { object: 'performance', property: 'now', message: 'Use the virtual clock (scheduler.now).' },
  {
    object: 'process',
    property: 'env',
    message: 'Pass configuration in; models and sim read no environment.',
  },
  { object: 'process', property: 'hrtime', message: 'Use the virtual clock (scheduler.now).' },
];
const bannedGlobals = [
  { name: 'setTimeout', message: 'Use scheduler.after / the virtual Clock.' },
  { name: 'setInterval', message: 'Use scheduler.after / the virtual Clock.' },
  { name: 'setImmediate', message: 'Use scheduler.after / the virtual Clock.' },
  { name: 'queueMicrotask', message: 'Use scheduler.after / the virtual Clock.' },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'traces/', 'viz/dist/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['models/**/*.ts', 'sim/**/*.ts'],
    ignores: ['sim/remote/**', 'sim/cli/**'],
    rules: {
      'no-restricted-properties': ['error', ...banned],
      'no-restricted-globals': ['error', ...bannedGlobals],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date']", message: 'Use the virtual clock (scheduler.now).' },
      ],
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
    files: ['models/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../sim/*', '../../sim/*', 'node:*', 'fs', 'path'],
              message: 'models/ is pure: xstate and itself only.',
            },
          ],
        },
      ],
    },
  },
);

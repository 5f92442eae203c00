// The determinism ban in eslint.config.js is the static half of "determinism enforced twice" (issue 7;
// the run-time half is test/unit/sim/determinism-runtime.test.ts). `npm run lint` passing on clean code
// cannot show that the rules still fire, so this canary lints one offending line at a time, as if it were
// a file in models/ or sim/, and demands an error for each: a rule dropped or mis-scoped turns it red.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The rule ids ESLint reports for `code` placed at `filePath` (not written to disk). */
async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath });
  return (r?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

// Each line reads a clock, randomness, a timer, the host or the environment, as the audit listed.
const OFFENDERS = [
  'export const a = Math.random();',
  'export const a = globalThis.Math.random();',
  'export const a = Date.now();',
  'export const a = Date();',
  'export const a = new Date();',
  'export const a = performance.now();',
  'export const a = crypto.randomUUID();',
  'export const a = globalThis.setTimeout(() => 0, 1);',
  'export const a = setTimeout(() => 0, 1);',
  'export const a = setInterval(() => 0, 1);',
  'export const a = process.uptime();',
  'export const a = process.hrtime();',
  'export const a = process.env.HOME;',
  "import seedrandom from 'seedrandom';\nexport const a = seedrandom;",
  "import os from 'node:os';\nexport const a = os;",
  "import { randomBytes } from 'node:crypto';\nexport const a = randomBytes;",
];

describe('determinism lint (eslint.config.js)', () => {
  for (const dir of ['models', 'sim/engine']) {
    it(`rejects every clock, randomness, timer and environment read in ${dir}/`, async () => {
      for (const code of OFFENDERS) {
        const ids = await ruleIds(code, `${dir}/lint-probe.ts`);
        expect(
          ids.some((id) => id.startsWith('no-restricted-')),
          `${dir}: ${code}`,
        ).toBe(true);
      }
    }, 60_000);
  }

  it('lets models/ import only xstate and its own files (an allowlist)', async () => {
    expect(
      await ruleIds("import { readFileSync } from 'node:fs';\nexport const a = readFileSync;", 'models/p.ts'),
    ).toContain('no-restricted-imports');
    expect(
      await ruleIds("import { x } from '../sim/engine/rng.js';\nexport const a = x;", 'models/p.ts'),
    ).toContain('no-restricted-imports');
    expect(
      await ruleIds(
        "import { setup } from 'xstate';\nimport { y } from './node.js';\nexport const a = [setup, y];",
        'models/p.ts',
      ),
    ).toEqual([]);
  });

  it('exempts only the real-node adapter and the CLI, and passes clean engine code', async () => {
    expect(await ruleIds('export const a = Date.now();', 'sim/remote/p.ts')).toEqual([]);
    expect(await ruleIds('export const a = Date.now();', 'sim/cli/p.ts')).toEqual([]);
    expect(await ruleIds('export const a = (now: number) => now + 1;', 'sim/engine/p.ts')).toEqual([]);
  });
});

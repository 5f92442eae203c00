// The scenario validator that `npm run build` precompiles (ajv standalone code, sim/scenario/precompiled.ts)
// must be the schema of the sources, and judge every file exactly as a freshly compiled validator does:
// same verdict, same errors (which load.ts turns into file:line:field messages). npm test builds first, so
// the built validator is there to check.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CODE_CACHE_FILE,
  compileValidator,
  GENERATED_FILE,
  precompiledValidator,
  schemaHash,
} from '../../../sim/scenario/precompiled.js';
import { SCHEMA_KEYWORDS } from '../../../sim/scenario/schema.js';

type Built = typeof import('../../../sim/scenario/precompiled.js');
const built = (await import(join(process.cwd(), 'dist/sim/scenario/precompiled.js'))) as Built;

const files = ['scenarios', 'scenarios/regression', 'scenarios/exploratory'].flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(d, f)),
);

const BAD: unknown[] = [
  {},
  { name: 'x' },
  { name: 'x', cluster: { controlPlanes: 'three', version: 1 }, extra: true },
  { name: 'x', cluster: { controlPlanes: 3, version: 'v1.7.6' }, faults: [{ at: '1m', type: 'powerLos' }] },
  { name: 'x', cluster: { controlPlanes: 3, version: 'v1.7.6' }, timing: { boot: '45q' }, duration: -1 },
  {
    name: 'x',
    cluster: { controlPlanes: 3, version: 'v1.7.6' },
    upgrade: { to: 'v1.8.0', policy: { order: 'up' } },
  },
  {
    name: 'x',
    cluster: { controlPlanes: 3, version: 'v1.7.6' },
    random: { powerLoss: { ratePerNodeHour: 'a' } },
  },
  // The user-defined durationMs keyword (a function the generated code is handed): bounds on durations.
  { name: 'x', cluster: { controlPlanes: 3, version: 'v1.7.6' }, duration: '99999999h' },
  { name: 'x', cluster: { controlPlanes: 3, version: 'v1.7.6' }, checkpointEvery: '10ms' },
  [1, 2, 3],
  'a string',
];

describe('the precompiled scenario validator', () => {
  it('is built, from the current schema and options', () => {
    expect(built.schemaHash()).toBe(schemaHash());
    expect(built.precompiledValidator()).not.toBeNull();
    // The sources have no generated file beside them: they compile (and say so by returning null here).
    expect(precompiledValidator()).toBeNull();
  });

  it('judges every bundled scenario and a set of broken ones exactly as a fresh compilation', () => {
    const pre = built.precompiledValidator()!;
    const fresh = compileValidator().validate;
    const docs = [...files.map((f) => parse(readFileSync(f, 'utf8')) as unknown), ...BAD];
    let invalid = 0;
    for (const d of docs) {
      const a = fresh(d);
      const errorsA = fresh.errors;
      expect(pre(d)).toBe(a);
      expect(pre.errors).toEqual(errorsA);
      if (!a) invalid++;
    }
    expect(invalid).toBe(BAD.length);
  });

  // The code cache only changes what V8 compiles when: a cache V8 accepts is what makes it pay off, and a
  // cache it refuses (another Node, a damaged file) must leave a working validator, not a crash.
  it.each([['dist/sim/scenario'], ['dist/sim/cli']])('%s: V8 accepts the build’s code cache', (dir) => {
    const loaded = built.loadGenerated(join(process.cwd(), dir))!;
    expect(loaded.cacheRejected).toBe(false);
    expect(loaded.module.schemaHash).toBe(schemaHash());
  });

  it('a damaged code cache is refused and the validator still judges as a fresh compilation', () => {
    // Inside the repository: the generated code requires ajv's runtime from node_modules.
    const tmp = mkdtempSync(join(process.cwd(), 'dist', 'cache-test-'));
    try {
      copyFileSync(join('dist/sim/scenario', GENERATED_FILE), join(tmp, GENERATED_FILE));
      const cache = readFileSync(join('dist/sim/scenario', CODE_CACHE_FILE));
      cache.fill(0x5a, 0, 64);
      writeFileSync(join(tmp, CODE_CACHE_FILE), cache);
      const loaded = built.loadGenerated(tmp)!;
      expect(loaded.cacheRejected).toBe(true);
      const pre = loaded.module.create!(SCHEMA_KEYWORDS);
      const fresh = compileValidator().validate;
      for (const d of BAD) {
        expect(pre(d)).toBe(fresh(d));
        expect(pre.errors).toEqual(fresh.errors);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

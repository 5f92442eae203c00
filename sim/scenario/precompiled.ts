// The scenario schema, compiled ahead of time. Compiling it with ajv costs about 130 ms of every process
// that loads a scenario (more on a loaded machine), half of a short `run`. `npm run build` writes ajv's
// standalone code for the schema next to the compiled schema module (writeValidator, below); a process
// loads that instead of compiling. The generated file carries a hash of the schema and ajv options it was
// made from, and is used only when they match, so a stale file (a schema edited without a rebuild) is
// never trusted: the process then compiles, as before. Sources run by vitest have no generated file and
// compile too; test/unit/scenario/precompiled.test.ts checks the built one against a fresh compilation.
//
// The generated code is 250 KB, and V8 compiling it (on load, then its functions on the first validation)
// still cost a CLI process more than any other part of its start-up. So the build also writes V8's code
// cache of it, made after validating the bundled scenarios (which compiles the functions they reach), and
// a process loads the validator through `vm.Script` with that cache. V8 checks the cache against the source
// and its own version and flags; a cache it rejects (another Node, edited source) is ignored and the code
// compiles as without it. The cache changes what is compiled when, never what the code does.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { parse } from 'yaml';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import type standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { DURATION_KEYWORD, SCENARIO_FILE_SCHEMA, SCHEMA_KEYWORDS } from './schema.js';

// ajv itself is loaded only when something must be compiled: a process using the generated validator
// never pays for importing the compiler (ajv is CommonJS, so a synchronous require works).
const require = createRequire(import.meta.url);

/** The options the schema is compiled with, precompiled or not. */
export const AJV_OPTIONS: Options = {
  allErrors: true,
  verbose: true,
  discriminator: true,
  allowUnionTypes: true,
  strict: true,
};

export const GENERATED_FILE = 'scenario-validator.generated.cjs';
/** V8's code cache of GENERATED_FILE, beside it. */
export const CODE_CACHE_FILE = 'scenario-validator.generated.cache';
/** Bounds the build's warm-up: scenario files read from each folder (the library has a few dozen). */
const WARM_UP_FILES_MAX = 500;

/** Identifies the schema and options a generated validator was made from. */
export function schemaHash(): string {
  return createHash('sha256')
    .update(JSON.stringify({ schema: SCENARIO_FILE_SCHEMA, options: AJV_OPTIONS }))
    .digest('hex');
}

/** What the generated code calls the user-defined keywords' functions: `keywords.<name>` (see below). */
type Keywords = typeof SCHEMA_KEYWORDS;

export function compileValidator(source = false): { ajv: Ajv; validate: ValidateFunction } {
  const ajvModule = require('ajv') as typeof import('ajv');
  const ajv = new ajvModule.Ajv({ ...AJV_OPTIONS, ...(source ? { code: { source: true } } : {}) });
  if (source) {
    // A keyword implemented by a function cannot be written out as code, so the generated module refers
    // to it by name, `keywords.durationMs`, and is handed the functions when loaded. Registering the
    // function in ajv's value scope with that code first makes the keyword's compilation reuse the entry.
    for (const name of Object.keys(SCHEMA_KEYWORDS) as (keyof Keywords)[])
      ajv.scope.value('keyword', {
        ref: SCHEMA_KEYWORDS[name],
        code: ajvModule._`keywords.${new ajvModule.Name(name)}`,
      });
  }
  ajv.addKeyword(DURATION_KEYWORD);
  return { ajv, validate: ajv.compile(SCENARIO_FILE_SCHEMA) };
}

/**
 * The CommonJS module text of the standalone validator: `create(keywords)` returns the validate function
 * (ajv's standalone code runs inside it, with its own `module`), and `schemaHash` says what it was made from.
 */
export function validatorSource(): string {
  const { ajv, validate } = compileValidator(true);
  const standaloneCode = require('ajv/dist/standalone/index.js') as typeof standaloneCodeModule;
  const code = standaloneCode.default(ajv, validate);
  return [
    '"use strict";',
    'module.exports.create = function create(keywords) {',
    'const module = { exports: {} };',
    // ajv calls a function keyword with `this` = the Ajv instance (`self`); ours does not use it.
    'const self = undefined;',
    code,
    'return module.exports;',
    '};',
    `module.exports.schemaHash = ${JSON.stringify(schemaHash())};`,
    '',
  ].join('\n');
}

/** The generated module's exports. */
interface GeneratedModule {
  create?: (k: Keywords) => ValidateFunction;
  schemaHash?: string;
}

export interface LoadedGenerated {
  module: GeneratedModule;
  /** The script, to make a code cache from after running it (the build). */
  script: Script;
  /** Whether V8 refused the code cache; null when there was none to offer. */
  cacheRejected: boolean | null;
}

/** Node's CommonJS wrapper, written out: the code cache is made from and checked against this very text. */
function wrapCommonJs(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n});`;
}

function readIfExists(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Loads the generated validator module of `dir` as Node's `require` would, but through `vm.Script` so that
 * V8 can use the code cache beside it (`useCache`). Null when `dir` has no generated file.
 */
export function loadGenerated(dir: string, useCache = true): LoadedGenerated | null {
  const file = resolve(dir, GENERATED_FILE);
  const source = readIfExists(file);
  if (source === null) return null;
  const cachedData = useCache ? readIfExists(join(dir, CODE_CACHE_FILE)) : null;
  const script = new Script(wrapCommonJs(source.toString('utf8')), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module: { exports: GeneratedModule } = { exports: {} };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  // The generated code requires ajv's runtime helpers: resolved from its own folder, as require would.
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    module: module.exports,
    script,
    cacheRejected: cachedData ? script.cachedDataRejected === true : null,
  };
}

/** The scenario files of `dirs` (not recursive), parsed: the build's warm-up for the code cache. */
function sampleDocs(dirs: readonly string[]): unknown[] {
  const docs: unknown[] = [];
  for (const d of dirs) {
    let names: string[];
    try {
      names = readdirSync(d).filter((f) => f.endsWith('.yaml'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const f of names.sort().slice(0, WARM_UP_FILES_MAX))
      docs.push(parse(readFileSync(join(d, f), 'utf8')) as unknown);
  }
  return docs;
}

/** The folders of bundled scenarios, relative to the repository root (where `npm run build` runs). */
export const WARM_UP_DIRS = ['scenarios', 'scenarios/regression', 'scenarios/exploratory', 'scenarios/fuzz'];

/**
 * The build step: writes the generated validator into `dir` (dist/sim/scenario) and V8's code cache of it,
 * made after validating the scenarios of `warmUpDirs` and an empty document (an invalid one), so the
 * functions those reach are compiled in the cache too.
 */
export function writeValidator(dir: string, warmUpDirs: readonly string[] = WARM_UP_DIRS): string {
  const file = join(dir, GENERATED_FILE);
  writeFileSync(
    file,
    `// Generated by npm run build (sim/scenario/precompiled.ts). Do not edit.\n${validatorSource()}`,
  );
  const loaded = loadGenerated(dir, false);
  const validate = loaded?.module.create?.(SCHEMA_KEYWORDS);
  if (!loaded || !validate) throw new Error(`writeValidator: ${file} does not load`);
  for (const doc of [...sampleDocs(warmUpDirs), {}]) validate(doc);
  writeFileSync(join(dir, CODE_CACHE_FILE), loaded.script.createCachedData());
  return file;
}

/** The folder of this module: dist/sim/scenario, or dist/sim/cli in the bundled CLI (rolldown.config.mjs). */
function ownDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/** The generated validator beside this module if it exists and matches the schema; null otherwise. */
export function precompiledValidator(keywords: Keywords = SCHEMA_KEYWORDS): ValidateFunction | null {
  const mod = loadGenerated(ownDir())?.module;
  return mod && mod.schemaHash === schemaHash() && mod.create ? mod.create(keywords) : null;
}

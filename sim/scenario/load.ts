// Scenario loading: YAML text -> schema check (schema.ts) -> cross-field checks and defaults -> `Scenario`.
// A bad file must never run (DESIGN.md, scenario files), so every problem found is collected, positioned
// on the line of the offending YAML node, and thrown together as one ScenarioError.
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { normalize } from 'node:path';
import type { ErrorObject } from 'ajv';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { rulesForVersion } from '../../models/talos-version.js';
import { parseDurationMs, formatMs, type RangeMs } from '../engine/duration.js';
import { faultKind, RANDOM_FAULT_KINDS } from '../faults/index.js';
import type { FaultParseContext } from '../faults/kind.js';
import { MAX_SCENARIO_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH } from './limits.js';
import { checkMeaning } from './meaning.js';
import { parseFuzz } from './fuzz.js';
import { POLICY_PRESET_NAMES, policyFromPreset, type PolicyPresetName } from './policies.js';
import { MAX_CONTROL_PLANES, MAX_WORKERS, validateScenarioFile } from './schema.js';
import {
  INVARIANT_NAMES,
  type EventMatcher,
  type Expectation,
  type FaultSpec,
  type InvariantName,
  type NodeSpec,
  type Quirk,
  type RandomFaults,
  type Scenario,
  type Timing,
  type UpgradePolicy,
  type UpgradeSpec,
} from './types.js';

export interface ScenarioProblem {
  file: string;
  /** 1-based; 0 when the problem has no position (the file could not be read). */
  line: number;
  column: number;
  /** Dotted/indexed path of the field, e.g. `faults[1].node`; '' for the whole file or a YAML syntax error. */
  field: string;
  message: string;
}

export function formatProblem(p: ScenarioProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return p.field === '' ? `${where}: ${p.message}` : `${where}: field '${p.field}': ${p.message}`;
}

export class ScenarioError extends Error {
  readonly problems: readonly ScenarioProblem[];

  constructor(problems: ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

/**
 * Reads and parses a scenario file. The path is normalised (`./a/../x.yaml` and `x.yaml` name the same
 * scenario, so the trace header and its hash do not depend on the spelling). Only a regular file of at most
 * MAX_SCENARIO_BYTES is read: a device (`/dev/zero`), a FIFO or a huge file fails at once instead of
 * blocking or filling memory (issue 11).
 */
export function loadScenarioFile(path: string): Scenario {
  const file = normalize(path);
  const fail = (message: string) => new ScenarioError([{ file, line: 0, column: 0, field: '', message }]);
  let text: string;
  try {
    text = readBoundedFile(path, MAX_SCENARIO_BYTES);
  } catch (err) {
    if (err instanceof BoundedReadError) throw fail(isTraceHead(err.head) ? NOT_A_SCENARIO : err.message);
    throw fail(`cannot read scenario file: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (isTraceHead(text)) throw fail(NOT_A_SCENARIO);
  return parseScenario(text, file);
}

const NOT_A_SCENARIO = 'this is an upgradelab trace, not a scenario (check-trace and export read traces)';

function isTraceHead(text: string): boolean {
  return /^\s*\{"kind":"header","format":"upgradelab-trace"/.test(text);
}

class BoundedReadError extends Error {
  constructor(
    message: string,
    /** The start of the file, when it was read (to say what it is instead). */
    readonly head = '',
  ) {
    super(message);
  }
}

/**
 * The text of a regular file of at most `maxBytes` bytes. stat() looks without opening, so a FIFO without a
 * writer cannot block and a device cannot stream forever; the read is bounded too, in case the file grows.
 */
function readBoundedFile(path: string, maxBytes: number): string {
  const st = statSync(path);
  if (!st.isFile())
    throw new BoundedReadError(`not a regular file (${kindOf(st)}); a scenario is a YAML file`);
  const tooBig = (size: string) =>
    new BoundedReadError(
      `the file is ${size} bytes, larger than the ${maxBytes}-byte limit for scenario files`,
    );
  const fd = openSync(path, 'r');
  try {
    if (st.size > maxBytes) {
      const head = Buffer.alloc(256);
      const n = readSync(fd, head, 0, head.length, 0);
      throw new BoundedReadError(tooBig(String(st.size)).message, head.subarray(0, n).toString('utf8'));
    }
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > maxBytes) throw tooBig(`more than ${maxBytes}`);
    }
    const text = buf.subarray(0, n).toString('utf8');
    if (text.includes('\u0000'))
      throw new BoundedReadError('the file holds NUL bytes: it is binary, not YAML');
    return text;
  } finally {
    closeSync(fd);
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a plain file';
}

/** A copy of `s` with another seed (the CLI's --seed). */
export function applySeed(s: Scenario, seed: string | number): Scenario {
  return { ...s, seed };
}

export function parseScenario(text: string, file: string): Scenario {
  const whole = (message: string, line = 0, column = 0) =>
    new ScenarioError([{ file, line, column, field: '', message }]);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SCENARIO_BYTES) {
    throw whole(`the scenario is ${bytes} bytes, larger than the ${MAX_SCENARIO_BYTES}-byte limit`);
  }
  const lineCounter = new LineCounter();
  const deepFlow = flowTooDeep(text);
  if (deepFlow !== null) {
    const lineStart = text.lastIndexOf('\n', deepFlow - 1) + 1;
    const line = text.slice(0, lineStart).split('\n').length;
    throw whole(TOO_DEEP, line, deepFlow - lineStart + 1);
  }
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    if (err instanceof RangeError) throw whole(TOO_DEEP, 1, 1);
    throw err;
  }
  // Warnings count as errors: an unknown tag (`!!js/function`, `!custom`) would otherwise load as a plain
  // string, a setting that silently means something other than what was written.
  const yamlIssues = [...doc.errors, ...doc.warnings];
  if (yamlIssues.length > 0) {
    throw new ScenarioError(
      yamlIssues.map((e) => {
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        const firstLine = e.message.split('\n')[0] ?? e.message;
        const message = /Maximum call stack/.test(e.message)
          ? TOO_DEEP
          : e.code === 'TAG_RESOLVE_FAILED'
            ? `unsupported YAML tag (${firstLine}); scenario files are plain YAML without tags`
            : `YAML syntax error: ${firstLine}`;
        return { file, line: pos.line, column: pos.col, field: '', message };
      }),
    );
  }
  const deep = tooDeepNode(doc);
  if (deep) {
    const p = lineCounter.linePos(deep);
    throw whole(TOO_DEEP, p.line, p.col);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    if (err instanceof RangeError) throw whole(TOO_DEEP, 1, 1);
    if (!(err instanceof ReferenceError)) throw err;
    const bad = aliasProblem(doc);
    const p = lineCounter.linePos(bad.offset);
    throw whole(bad.message, p.line, p.col);
  }
  if (depthOf(data) > MAX_YAML_DEPTH) throw whole(TOO_DEEP, 1, 1);

  const located: Located[] = validateScenarioFile(data).flatMap(fromAjv);
  const checker = new Checker(data);
  let scenario: Scenario | null = null;
  try {
    scenario = checker.normalise(file);
  } catch (err) {
    // The normaliser reads data the schema may have rejected; a slip on such data is covered by the schema's
    // own report. On data the schema accepted, a throw is a loader bug and must surface as one.
    if (located.length === 0) throw err;
  }
  // A value the schema rejected is not reported a second time by the cross-field checks.
  const schemaFields = new Set(located.map((p) => fieldOf(p.path)));
  for (const p of checker.problems) if (!schemaFields.has(fieldOf(p.path))) located.push(p);
  // What the scenario means is judged only once its shape and cross references are right.
  if (located.length === 0 && scenario !== null) located.push(...checkMeaning(scenario, data));

  if (located.length > 0 || scenario === null) {
    const locate = locator(doc, lineCounter);
    const problems = located.map((p) => {
      const pos = locate(p.path, p.atKey);
      return { file, line: pos.line, column: pos.column, field: fieldOf(p.path), message: p.message };
    });
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new ScenarioError(problems);
  }
  return scenario;
}

const TOO_DEEP = `YAML nesting is too deep (at most ${MAX_YAML_DEPTH} levels)`;

/**
 * The offset where flow brackets (`[`, `{`) nest deeper than MAX_YAML_DEPTH, or null. A cheap scan before
 * parsing: the YAML parser spends seconds on 50,000 nested brackets before it reports anything. Quotes and
 * comments are skipped roughly; a miscount can only under-count, and tooDeepNode checks again after parsing.
 */
function flowTooDeep(text: string): number | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const prev = i === 0 ? '\n' : text[i - 1]!;
    if ((c === '"' || c === "'") && /[\s[{,:]/.test(prev)) {
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '#' && /\s/.test(prev)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_YAML_DEPTH) return i;
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    }
  }
  return null;
}

/** The source offset of the first node nested deeper than MAX_YAML_DEPTH, or null. Iterative: no stack. */
function tooDeepNode(doc: Document): number | null {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth >= MAX_YAML_DEPTH) return node.range?.[0] ?? 0;
    for (const it of node.items) {
      if (isMap(node)) {
        const pair = it as { key: unknown; value: unknown };
        stack.push({ node: pair.key, depth: depth + 1 }, { node: pair.value, depth: depth + 1 });
      } else stack.push({ node: it, depth: depth + 1 });
    }
  }
  return null;
}

/** The nesting depth of plain data (after aliases are expanded). Iterative, and stops past the limit. */
function depthOf(data: unknown): number {
  const stack: [unknown, number][] = [[data, 0]];
  let max = 0;
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    max = Math.max(max, d + 1);
    if (max > MAX_YAML_DEPTH) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Why toJS refused the aliases: one that names no anchor, or too many expansions (an alias bomb). */
function aliasProblem(doc: Document): { offset: number; message: string } {
  let undefinedAlias: { offset: number; message: string } | null = null;
  let firstAlias: number | null = null;
  visit(doc, {
    Alias(_, node) {
      const offset = node.range?.[0] ?? 0;
      firstAlias ??= offset;
      if (node.resolve(doc) === undefined) {
        undefinedAlias = {
          offset,
          message: `YAML alias '*${node.source}' refers to no anchor (an anchor '&${node.source}' must come before it)`,
        };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return (
    undefinedAlias ?? {
      offset: firstAlias ?? 0,
      message: `YAML aliases expand to more than ${MAX_YAML_ALIASES} copies (an alias bomb?); write the data out`,
    }
  );
}

// ---------------------------------------------------------------------------------------------------------
// Positions.

type Path = (string | number)[];

interface Located {
  path: Path;
  message: string;
  /** Point at the key of the last path segment rather than its value (unknown keys, map entries). */
  atKey?: boolean;
}

function fieldOf(path: Path): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

function locator(
  doc: Document,
  lc: LineCounter,
): (path: Path, atKey?: boolean) => { line: number; column: number } {
  const posOf = (node: unknown): { line: number; column: number } | null => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range) return null;
    const p = lc.linePos(range[0]);
    return { line: p.line, column: p.col };
  };
  return (path, atKey = false) => {
    let cur: unknown = doc.contents;
    let best = posOf(cur) ?? { line: 1, column: 1 };
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isAlias(cur)) cur = cur.resolve(doc);
      let next: unknown;
      if (isMap(cur)) {
        const pair = cur.items.find((it) => String(isScalar(it.key) ? it.key.value : it.key) === String(seg));
        if (!pair) break;
        const keyPos = posOf(pair.key);
        if (keyPos) best = keyPos;
        if (atKey && i === path.length - 1) break;
        next = pair.value;
      } else if (isSeq(cur) && typeof seg === 'number') {
        next = cur.items[seg];
      } else {
        break;
      }
      const pos = posOf(next);
      if (!pos) break;
      best = pos;
      cur = next;
    }
    return best;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Schema errors -> messages people can act on.

function pointerToPath(pointer: string): Path {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const TYPE_WORDS: Record<string, string> = { object: 'a mapping', array: 'a list', integer: 'an integer' };

function fromAjv(e: ErrorObject): Located[] {
  const path = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    // Noise: `if` repeats its branch's error; `discriminator` repeats the enum/required error on `type`.
    case 'if':
    case 'discriminator':
      return [];
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
      const known = props ? ` (expected one of: ${Object.keys(props).join(', ')})` : '';
      return [{ path: [...path, key], message: `unknown key '${key}'${known}`, atKey: true }];
    }
    case 'required':
      return [{ path: [...path, String(params.missingProperty)], message: 'is required' }];
    case 'enum':
      return [
        { path, message: `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}` },
      ];
    case 'minItems': {
      const least = Number(params.limit);
      const why =
        path[0] === 'invariants' ? ' (an empty list checks nothing, so the run could never fail)' : '';
      return [{ path, message: `must list at least ${least === 1 ? 'one item' : `${least} items`}${why}` }];
    }
    case 'const':
      return [{ path, message: `must be '${String(params.allowedValue)}'` }];
    case 'type': {
      // YAML reads a 400-digit number as Infinity (or NaN for .nan); saying "must be a number" would puzzle.
      if (typeof e.data === 'number' && !Number.isFinite(e.data))
        return [{ path, message: `is not a finite number (${String(e.data)}): too large, or .inf/.nan` }];
      const types = String(params.type).split(',');
      const words = types.map((t) => TYPE_WORDS[t] ?? `a ${t}`);
      return [{ path, message: `must be ${words.join(' or ')}` }];
    }
    case 'pattern': {
      const value = JSON.stringify(e.data);
      if (e.schemaPath.includes('/duration/'))
        return [{ path, message: `not a duration: ${value} (use e.g. 250ms, 45s, 5m, 2h, 1h30m)` }];
      if (e.schemaPath.includes('/range/'))
        return [{ path, message: `not a duration or range: ${value} (use e.g. 45s or 45s..90s)` }];
      if (e.schemaPath.includes('/version/'))
        return [{ path, message: `not a version: ${value} (use e.g. v1.8.0)` }];
      if (path[path.length - 1] === 'attach')
        return [{ path, message: `must be host:port with a port from 1 to 65535, got ${value}` }];
      return [{ path, message: e.message ?? 'does not match the expected pattern' }];
    }
    default:
      return [{ path, message: e.message ?? `fails ${e.keyword}` }];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Cross-field checks and normalisation. This runs on data the schema may have rejected, so every read is
// defensive; values of the wrong shape are skipped silently (the schema already reported them) and the
// result is only returned when nothing at all was wrong.

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) ? v : undefined;
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

const DEFAULT_DURATION_MS = 2 * 3_600_000;
const MINUTE_MS = 60_000;

const DEFAULT_TIMING: Record<keyof Timing, string> = {
  firmware: '5s..10s',
  kernel: '3s..6s',
  init: '20s..40s',
  ready: '10s..30s',
  cordon: '1s..3s',
  drain: '30s',
  install: '60s',
  api: '50ms..200ms',
};
const TIMING_KEYS = Object.keys(DEFAULT_TIMING) as (keyof Timing)[];

class Checker {
  readonly problems: Located[] = [];
  private nodeNames: string[] = [];
  private controlPlaneNames = new Set<string>();
  /** False when the cluster size itself is invalid: node references are then not checked (it would be noise). */
  private nodesKnown = false;
  /** Nodes with `attach:` (a mixed run): scenario faults are refused then. */
  private attachedNodes = 0;
  /** The cluster's version and previous version (the fault kinds' parse context adds the target). */
  private versions: string[] = [];
  private durationMs = 0;
  /** False when `duration` itself is invalid: times are then not compared with it. */
  private durationKnown = false;

  constructor(private readonly raw: unknown) {}

  private problem(path: Path, message: string, atKey = false): void {
    this.problems.push({ path, message, atKey });
  }

  /** A duration in ms, or undefined if absent or malformed (the schema reports malformed ones). */
  private dur(v: unknown): number | undefined {
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
    try {
      return parseDurationMs(v);
    } catch {
      return undefined;
    }
  }

  private range(v: unknown, path: Path): RangeMs | undefined {
    if (typeof v === 'number') {
      const ms = this.dur(v);
      return ms === undefined ? undefined : { minMs: ms, maxMs: ms };
    }
    if (typeof v !== 'string') return undefined;
    const parts = v.split('..');
    if (parts.length > 2) return undefined;
    const minMs = this.dur(parts[0]);
    const maxMs = parts.length === 2 ? this.dur(parts[1]) : minMs;
    if (minMs === undefined || maxMs === undefined) return undefined;
    if (maxMs < minMs) {
      this.problem(path, `range "${v}" has its maximum below its minimum`);
      return undefined;
    }
    return { minMs, maxMs };
  }

  /** A time `at` inside the run. */
  private within(ms: number | undefined, path: Path, what: string): void {
    if (this.durationKnown && ms !== undefined && ms > this.durationMs) {
      this.problem(
        path,
        `${what} ${formatMs(ms)} is after the end of the run (duration ${formatMs(this.durationMs)})`,
      );
    }
  }

  private node(v: unknown, path: Path): string {
    const name = str(v);
    if (this.nodesKnown && name !== undefined && !this.nodeNames.includes(name)) {
      this.problem(path, `unknown node '${name}' (nodes: ${this.nodeNames.join(', ')})`);
    }
    return name ?? '';
  }

  private times(v: unknown): number | null {
    return v === 'always' ? null : (int(v) ?? 1);
  }

  normalise(file: string): Scenario | null {
    const r = obj(this.raw) ?? {};
    // Defaults for the keys a short scenario may leave out: seed 1, 2 h, talos-1.8, talos bootloader.
    const durationMs = r.duration === undefined ? DEFAULT_DURATION_MS : (this.dur(r.duration) ?? 0);
    this.durationMs = durationMs;
    this.durationKnown = durationMs > 0;
    if (this.dur(r.duration) === 0) this.problem(['duration'], 'must be greater than 0');

    const bootloader = (str(r.bootloader) ?? 'talos') as Scenario['bootloader'];
    if (r.bootTries !== undefined && bootloader !== undefined && bootloader !== 'boot-counting') {
      this.problem(
        ['bootTries'],
        `only applies to bootloader 'boot-counting' (this scenario uses '${bootloader}')`,
      );
    }

    const cluster = this.cluster(obj(r.cluster) ?? {});
    // Empty when the cluster's version is missing (the schema reports it): no version checks then.
    this.versions = cluster.version
      ? [cluster.version, ...(cluster.previousVersion ? [cluster.previousVersion] : [])]
      : [];
    const liveness = this.liveness(obj(r.liveness));
    const timing = this.timing(obj(r.timing) ?? {});
    const upgrade = r.upgrade === undefined ? null : this.upgrade(obj(r.upgrade) ?? {});
    const faults = list(r.faults).flatMap((f, i) => this.fault(obj(f) ?? {}, ['faults', i], upgrade) ?? []);
    const random = r.random === undefined ? null : this.random(obj(r.random) ?? {}, upgrade);
    const invariants =
      r.invariants === undefined ? [...INVARIANT_NAMES] : (list(r.invariants) as InvariantName[]);
    const checkpointEveryMs =
      r.checkpointEvery === undefined ? MINUTE_MS : (this.dur(r.checkpointEvery) ?? 0);
    if (this.dur(r.checkpointEvery) === 0) this.problem(['checkpointEvery'], 'must be greater than 0');
    const expect = r.expect === undefined ? null : this.expect(obj(r.expect) ?? {}, invariants);
    const fuzz =
      r.fuzz === undefined
        ? null
        : parseFuzz(obj(r.fuzz) ?? {}, this.faultContext(['fuzz'], upgrade), {
            upgradeAtMs: upgrade?.atMs ?? null,
            faultsUntilMs: liveness.faultsUntilMs,
            invariants,
          });

    // Without an explicit `profile` the running version picks each node's rules (F§3): every version must
    // then be a Talos version.
    const profile = (str(r.profile) ?? null) as Scenario['profile'];
    if (profile === null) {
      const versions: [Path, string | null | undefined][] = [
        [['cluster', 'version'], cluster.version],
        [['cluster', 'previousVersion'], cluster.previousVersion],
        [['upgrade', 'to'], upgrade?.to],
      ];
      for (const [path, v] of versions) {
        if (v && rulesForVersion(v) === null)
          this.problem(
            path,
            `'${v}' is not a Talos version (vX.Y.Z): use one, or set 'profile' to pick the rules`,
          );
      }
    }

    // A mixed run injects no scenario faults yet (the fault kinds act on the simulated world): refused,
    // so that no fault silently does nothing.
    if (this.attachedNodes > 0)
      for (const key of ['faults', 'random', 'fuzz'] as const)
        if (r[key] !== undefined && !(key === 'faults' && list(r.faults).length === 0))
          this.problem(
            [key],
            `not supported in a run with attached nodes (wall-clock, real etcd): use the Lab verbs to inject faults`,
          );

    if (this.problems.length > 0) return null;
    return {
      name: str(r.name) ?? '',
      file,
      seed: (r.seed as string | number | undefined) ?? 1,
      durationMs,
      liveness,
      profile,
      bootloader,
      bootTries: int(r.bootTries) ?? 3,
      cluster,
      quirks: list(r.quirks).filter((q): q is Quirk => typeof q === 'string'),
      timing,
      upgrade,
      faults,
      random,
      fuzz,
      workload: {
        etcdWritesPerSecond: (obj(r.workload)?.etcdWritesPerSecond as number | undefined) ?? 5,
        trace: obj(r.workload)?.trace === 'each' ? 'each' : 'batch',
      },
      invariants,
      quorumTolerateFaults: bool(r.quorumTolerateFaults) ?? true,
      checkpointEveryMs,
      expect,
    };
  }

  private liveness(l: Obj | undefined): Scenario['liveness'] {
    const boundMs = this.dur(l?.bound) ?? Math.min(30 * MINUTE_MS, Math.floor(this.durationMs / 3));
    const faultsUntilMs = this.dur(l?.faultsUntil) ?? Math.max(0, this.durationMs - boundMs);
    this.within(faultsUntilMs, ['liveness', 'faultsUntil'], 'faultsUntil');
    return { faultsUntilMs, boundMs };
  }

  private cluster(c: Obj): Scenario['cluster'] {
    const cps = int(c.controlPlanes) ?? 0;
    const workers = int(c.workers) ?? 0;
    this.nodesKnown = cps >= 1 && cps <= MAX_CONTROL_PLANES && workers >= 0 && workers <= MAX_WORKERS;
    const nodes: NodeSpec[] = [];
    // Bounds before work: an out-of-range size (the schema reports it) builds no node at all.
    if (!this.nodesKnown) return { version: str(c.version) ?? '', previousVersion: null, nodes };
    for (let i = 1; i <= cps; i++) nodes.push({ name: `cp${i}`, role: 'controlplane' });
    for (let i = 1; i <= workers; i++) nodes.push({ name: `w${i}`, role: 'worker' });
    this.nodeNames = nodes.map((n) => n.name);
    this.controlPlaneNames = new Set(nodes.filter((n) => n.role === 'controlplane').map((n) => n.name));

    const seen = new Set<string>();
    list(c.nodes).forEach((o, i) => {
      const override = obj(o) ?? {};
      const name = str(override.name);
      if (name === undefined) return;
      const path = ['cluster', 'nodes', i, 'name'];
      if (seen.has(name)) this.problem(path, `node '${name}' is overridden twice`);
      seen.add(name);
      const spec = nodes.find((n) => n.name === name);
      if (!spec) {
        if (this.nodesKnown)
          this.problem(path, `unknown node '${name}' (nodes: ${this.nodeNames.join(', ')})`);
        return;
      }
      // An attached node is driven over gRPC by a mixed run (sim/remote/mixed/), on wall-clock time.
      const attach = str(override.attach);
      if (attach !== undefined) spec.attach = attach;
    });
    // In a mixed run etcd is real, so it lives on the attached control planes only: a simulated control
    // plane would need a member of the real cluster (issue 10, "Runs with real nodes").
    const attached = nodes.filter((n) => n.attach !== undefined);
    const simulatedCp = nodes.find((n) => n.role === 'controlplane' && n.attach === undefined);
    if (attached.length > 0 && simulatedCp)
      this.problem(
        ['cluster', 'nodes'],
        `control plane '${simulatedCp.name}' is not attached: a run with attached nodes uses their real etcd, so every control plane must be attached (workers may stay simulated)`,
      );
    this.attachedNodes = attached.length;
    return { version: str(c.version) ?? '', previousVersion: str(c.previousVersion) ?? null, nodes };
  }

  private timing(t: Obj): Timing {
    if (t.boot !== undefined && t.init !== undefined) {
      this.problem(['timing', 'boot'], "give either 'boot' (shorthand for init) or 'init', not both", true);
    }
    const out = {} as Timing;
    for (const key of TIMING_KEYS) {
      const given = key === 'init' && t.init === undefined ? t.boot : t[key];
      const path = ['timing', key === 'init' && t.init === undefined && t.boot !== undefined ? 'boot' : key];
      out[key] = this.range(given ?? DEFAULT_TIMING[key], path) ?? { minMs: 0, maxMs: 0 };
    }
    return out;
  }

  private upgrade(u: Obj): UpgradeSpec {
    const atMs = this.dur(u.at) ?? 0;
    this.within(atMs, ['upgrade', 'at'], 'upgrade at');
    return { to: str(u.to) ?? '', atMs, policy: this.policy(u.policy) };
  }

  private policy(p: unknown): UpgradePolicy {
    if (p === undefined) return policyFromPreset('talosctl');
    if (typeof p === 'string') return policyFromPreset(p === 'naive' ? 'naive' : 'talosctl');
    const o = obj(p) ?? {};
    const path = ['upgrade', 'policy'];
    // An unknown preset (the schema reports it) falls back to talosctl, so the rest can still be checked.
    const preset = str(o.preset);
    const known = preset !== undefined && (POLICY_PRESET_NAMES as readonly string[]).includes(preset);
    const policy = policyFromPreset(known ? (preset as PolicyPresetName) : 'talosctl');
    const pick = <K extends keyof UpgradePolicy>(
      key: K,
      read: (v: unknown) => UpgradePolicy[K] | undefined,
    ) => {
      const v = read(o[key]);
      if (v !== undefined) policy[key] = v;
    };
    pick('order', (v) => str(v) as UpgradePolicy['order'] | undefined);
    pick('parallel', int);
    pick('healthGate', bool);
    pick('preserve', bool);
    pick('stage', bool);
    pick('force', bool);
    pick('rebootMode', (v) => str(v) as UpgradePolicy['rebootMode'] | undefined);
    pick('retries', int);
    pick('onFailure', (v) => str(v) as UpgradePolicy['onFailure'] | undefined);
    pick('etcdRejoin', (v) => str(v) as UpgradePolicy['etcdRejoin'] | undefined);
    const nodeTimeoutMs = this.dur(o.nodeTimeout);
    if (nodeTimeoutMs !== undefined) policy.nodeTimeoutMs = nodeTimeoutMs;
    const healthTimeoutMs = this.dur(o.healthTimeout);
    if (healthTimeoutMs !== undefined) policy.healthTimeoutMs = healthTimeoutMs;

    const order = list(o.explicitOrder);
    policy.explicitOrder = order.map((n, i) => this.node(n, [...path, 'explicitOrder', i]));
    if (policy.order === 'explicit') {
      if (o.explicitOrder === undefined) {
        this.problem([...path, 'order'], "order 'explicit' needs 'explicitOrder' listing every node once");
      } else {
        const seen = new Set<string>();
        order.forEach((n, i) => {
          if (typeof n !== 'string') return;
          if (seen.has(n))
            this.problem([...path, 'explicitOrder', i], `node '${n}' is listed more than once`);
          seen.add(n);
        });
        const missing = this.nodeNames.filter((n) => !seen.has(n));
        if (this.nodesKnown && missing.length > 0)
          this.problem([...path, 'explicitOrder'], `must list every node; missing: ${missing.join(', ')}`);
      }
    } else if (o.explicitOrder !== undefined) {
      this.problem(
        [...path, 'explicitOrder'],
        `only applies to order 'explicit' (this policy uses '${policy.order}')`,
        true,
      );
    }
    return policy;
  }

  /** What a fault kind's parser may ask of this loader (sim/faults/kind.ts). */
  private faultContext(path: Path, upgrade: UpgradeSpec | null): FaultParseContext {
    return {
      path,
      problem: (at, message, atKey) => this.problem(at, message, atKey),
      node: (v, at) => this.node(v, at),
      durationMs: (v) => this.dur(v),
      range: (v, at) => this.range(v, at),
      times: (v) => this.times(v),
      nodeNames: this.nodeNames,
      controlPlanes: this.controlPlaneNames,
      nodesKnown: this.nodesKnown,
      upgradeTo: upgrade?.to ?? null,
      versions: this.versions.length > 0 && upgrade ? [...this.versions, upgrade.to] : this.versions,
    };
  }

  private fault(f: Obj, path: Path, upgrade: UpgradeSpec | null): FaultSpec | null {
    const atMs = this.dur(f.at) ?? 0;
    this.within(atMs, [...path, 'at'], 'fault at');
    // Unknown or missing type: the schema reported it.
    return faultKind(f.type)?.parse(f, atMs, this.faultContext(path, upgrade)) ?? null;
  }

  private random(r: Obj, upgrade: UpgradeSpec | null): RandomFaults {
    const out: RandomFaults = {
      arrivals: [],
      maxConcurrent: int(r.maxConcurrent) ?? 1,
      fromMs: this.dur(r.from) ?? 0,
    };
    this.within(out.fromMs, ['random', 'from'], 'random faults from');
    // In the registry's order, whatever the file's order: that is the order the arrivals draw.
    for (const kind of RANDOM_FAULT_KINDS) {
      const key = kind.random!.key;
      const entry = obj(r[key]);
      if (!entry) continue;
      const ratePerNodeHour = typeof entry.ratePerNodeHour === 'number' ? entry.ratePerNodeHour : 0;
      const params = kind.random!.parse(entry, this.faultContext(['random', key], upgrade));
      out.arrivals.push({ key, ratePerNodeHour, params });
    }
    return out;
  }

  private expect(e: Obj, invariants: InvariantName[]): Expectation {
    const names = (key: 'violations' | 'holds') =>
      list(e[key]).filter((v, i): v is InvariantName => {
        if (typeof v !== 'string' || !(INVARIANT_NAMES as readonly string[]).includes(v)) return false;
        if (!invariants.includes(v as InvariantName)) {
          this.problem(
            ['expect', key, i],
            `invariant '${v}' is not checked by this scenario (see 'invariants')`,
          );
        }
        return true;
      });
    const violations = names('violations');
    const holds = names('holds');
    list(e.holds).forEach((v, i) => {
      if (typeof v === 'string' && (violations as string[]).includes(v)) {
        this.problem(['expect', 'holds', i], `invariant '${v}' cannot both be violated and hold`);
      }
    });
    const finalVersions: Record<string, string> = {};
    for (const [name, version] of Object.entries(obj(e.finalVersions) ?? {})) {
      if (this.nodesKnown && !this.nodeNames.includes(name)) {
        this.problem(
          ['expect', 'finalVersions', name],
          `unknown node '${name}' (nodes: ${this.nodeNames.join(', ')})`,
          true,
        );
      }
      if (typeof version === 'string') finalVersions[name] = version;
    }
    const learners = list(e.learners).map((n, i) => {
      const name = this.node(n, ['expect', 'learners', i]);
      if (this.nodeNames.includes(name) && !this.controlPlaneNames.has(name)) {
        this.problem(['expect', 'learners', i], `node '${name}' is a worker and has no etcd member`);
      }
      return name;
    });
    const finalStates: Record<string, string> = {};
    for (const [name, state] of Object.entries(obj(e.finalStates) ?? {})) {
      if (this.nodesKnown && !this.nodeNames.includes(name)) {
        this.problem(
          ['expect', 'finalStates', name],
          `unknown node '${name}' (nodes: ${this.nodeNames.join(', ')})`,
          true,
        );
      }
      if (typeof state === 'string') finalStates[name] = state;
    }
    const plain = (o: Obj): EventMatcher => {
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(o)) {
        if (k !== 'type' && k !== 'after' && k !== 'before' && k !== 'within') fields[k] = String(v);
      }
      return { type: str(o.type) ?? '', fields };
    };
    const matchers = (key: 'events' | 'absentEvents'): EventMatcher[] =>
      list(e[key]).map((m) => {
        const o = obj(m) ?? {};
        const matcher = plain(o);
        const after = obj(o.after);
        const before = obj(o.before);
        const withinMs = this.dur(o.within);
        if (after) matcher.after = plain(after);
        if (before) matcher.before = plain(before);
        if (withinMs !== undefined) matcher.withinMs = withinMs;
        return matcher;
      });
    // Strict expectations: every checked invariant that is not expected to be violated must hold, so no
    // invariant can break silently in a scenario with an `expect:` block. `holds` only documents.
    const strictHolds = invariants.filter((i) => !violations.includes(i));
    for (const h of holds) if (!strictHolds.includes(h)) strictHolds.push(h);
    return {
      violations,
      holds: strictHolds,
      finalVersions,
      writesLostMax: int(e.writesLostMax) ?? null,
      learners,
      finalStates,
      events: matchers('events'),
      absentEvents: matchers('absentEvents'),
    };
  }
}

// Hostile inputs for the scenario loader and the trace reader (issue 11, Tests): fast-check arbitraries for
// each class of damage, and the checks every input must pass — a bad scenario is a ScenarioError naming the
// file (and the field, where the damage has one), never another exception or a stack trace, within a time
// bound; a trace edited in any way is never reported as a verified trace. The CI suite
// (test/property/hostile-input.property.test.ts) and `npm run fuzz:input` (bench/fuzz-input.ts) share these.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseScenario, ScenarioError } from '../sim/scenario/load.js';
import { simulate } from '../sim/simulate.js';
import { readTraceText, TraceError } from '../sim/trace/reader.js';

export const SCENARIO_CLASSES = [
  'wrong-type',
  'huge-tiny',
  'typo',
  'yaml-bomb',
  'deep-nesting',
  'binary',
  'truncation',
  'tag',
] as const;
export type ScenarioClass = (typeof SCENARIO_CLASSES)[number];

export interface ScenarioCase {
  cls: ScenarioClass;
  text: string;
  /** The dotted path of the damaged field, when the damage has one (the error must name it). */
  field: string | null;
}

/** A valid scenario using most keys; every class damages a copy of it. */
export const BASE_SCENARIO = {
  name: 'hostile-base',
  seed: 42,
  duration: '2h',
  liveness: { faultsUntil: '90m', bound: '30m' },
  profile: 'talos-1.8',
  bootloader: 'talos',
  cluster: { controlPlanes: 3, workers: 2, version: 'v1.7.6', nodes: [{ name: 'cp1' }] },
  timing: { firmware: '5s..10s', init: '20s..40s', drain: '30s', api: '50ms..200ms' },
  upgrade: {
    to: 'v1.8.0',
    at: '5m',
    policy: { preset: 'talosctl', parallel: 1, healthGate: true, nodeTimeout: '30m', onFailure: 'halt' },
  },
  faults: [
    { at: '7m', type: 'powerLoss', node: 'cp2', duration: '3m' },
    { at: '9m', type: 'partition', groups: [['cp1'], ['cp2', 'cp3']], duration: '2m' },
    { type: 'failedBoot', node: 'cp1', version: 'v1.8.0', stage: 'init', times: 1 },
  ],
  random: { powerLoss: { ratePerNodeHour: 0.5, duration: '1m..5m' }, maxConcurrent: 1 },
  workload: { etcdWritesPerSecond: 5 },
  invariants: ['quorum', 'bootable', 'durability'],
  checkpointEvery: '1m',
  expect: { holds: ['durability'], events: [{ type: 'etcd.member', node: 'cp2' }] },
};

type Json = unknown;
type Path = (string | number)[];

function paths(v: Json, prefix: Path = []): Path[] {
  if (typeof v !== 'object' || v === null) return [prefix];
  const out: Path[] = prefix.length > 0 ? [prefix] : [];
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  for (const [k, x] of entries) out.push(...paths(x, [...prefix, k]));
  return out;
}

const ALL_PATHS = paths(BASE_SCENARIO);
const LEAF_PATHS = ALL_PATHS.filter((p) => {
  let v: Json = BASE_SCENARIO;
  for (const k of p) v = (v as Record<string | number, Json>)[k];
  return typeof v !== 'object' || v === null;
});
const KEY_PATHS = ALL_PATHS.filter((p) => typeof p[p.length - 1] === 'string');

function fieldOf(path: Path): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

function withValue(path: Path, value: Json): Json {
  const copy = structuredClone(BASE_SCENARIO) as Json;
  let v = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) v = v[k] as Record<string | number, Json>;
  v[path[path.length - 1]!] = value;
  return copy;
}

function withKey(path: Path, key: string): Json {
  const copy = structuredClone(BASE_SCENARIO) as Json;
  let v = copy as Record<string, Json>;
  for (const k of path.slice(0, -1)) v = v[k] as Record<string, Json>;
  const old = path[path.length - 1] as string;
  const rebuilt: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) rebuilt[k === old ? key : k] = x;
  for (const k of Object.keys(v)) delete v[k];
  Object.assign(v, rebuilt);
  return copy;
}

/** Values written into the YAML text verbatim (stringify would quote them). */
const RAW = '__upgradelab_raw__';
function yamlOf(data: Json, raw: string[] = []): string {
  let text = stringify(data, { lineWidth: 0 });
  raw.forEach((r, i) => (text = text.replace(`${RAW}${i}`, r)));
  return text;
}

const wrongValue: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.integer(), { maxKeys: 3 }),
);

const extremes = [
  '-1',
  '0',
  '1e308',
  '-1e308',
  '9007199254740993',
  `1${'0'.repeat(400)}`,
  `"1${'0'.repeat(400)}"`,
  '"99999999h"',
  '"99999999999999999999d"',
  '"0ms"',
  '"0s..0s"',
  '.inf',
  '-.inf',
  '.nan',
  '0.000001',
  '"0.0001ms"',
  '"1ms"',
  '"10000000"',
  '1000000000',
];

function typo(key: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.nat(key.length),
      fc.constantFrom('drop', 'double', 'swap', 'case', 'append'),
      fc.string({ minLength: 1, maxLength: 1 }),
    )
    .map(([i, how, c]) => {
      const at = Math.min(i, key.length - 1);
      switch (how) {
        case 'drop':
          return key.slice(0, at) + key.slice(at + 1);
        case 'double':
          return key.slice(0, at) + key[at] + key.slice(at);
        case 'swap':
          return at + 1 < key.length
            ? key.slice(0, at) + key[at + 1] + key[at] + key.slice(at + 2)
            : key + 'x';
        case 'case':
          return (
            key.slice(0, at) +
            (key[at]!.toUpperCase() === key[at] ? key[at]!.toLowerCase() : key[at]!.toUpperCase()) +
            key.slice(at + 1)
          );
        default:
          return key + (c.trim() === '' || c === ':' || c === '#' ? 'z' : c);
      }
    })
    .filter((k) => k !== key && k.length > 0);
}

const baseText = yamlOf(BASE_SCENARIO);

export const scenarioCase: Record<ScenarioClass, fc.Arbitrary<ScenarioCase>> = {
  'wrong-type': fc
    .tuple(fc.constantFrom(...LEAF_PATHS), wrongValue)
    .map(([p, v]) => ({ cls: 'wrong-type', text: yamlOf(withValue(p, v)), field: fieldOf(p) })),
  'huge-tiny': fc.tuple(fc.constantFrom(...LEAF_PATHS), fc.constantFrom(...extremes)).map(([p, raw]) => ({
    cls: 'huge-tiny',
    text: yamlOf(withValue(p, `${RAW}0`), [raw]),
    field: fieldOf(p),
  })),
  typo: fc
    .constantFrom(...KEY_PATHS)
    .chain((p) => typo(p[p.length - 1] as string).map((k) => ({ p, k })))
    .map(({ p, k }) => ({
      cls: 'typo',
      text: yamlOf(withKey(p, k)),
      field: fieldOf([...p.slice(0, -1), k]),
    })),
  'yaml-bomb': fc
    .tuple(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 2, max: 9 }), fc.boolean())
    .map(([width, depth, undefinedAlias]) => {
      const lines = [`a0: &a0 [${Array(width).fill('"lol"').join(', ')}]`];
      for (let d = 1; d < depth; d++)
        lines.push(
          `a${d}: &a${d} [${Array(width)
            .fill(`*a${d - 1}`)
            .join(', ')}]`,
        );
      if (undefinedAlias) lines.push('oops: *nowhere');
      return { cls: 'yaml-bomb' as const, text: lines.join('\n') + '\n' + baseText, field: null };
    }),
  'deep-nesting': fc
    .tuple(fc.integer({ min: 65, max: 50_000 }), fc.constantFrom('flow-seq', 'flow-map', 'block'))
    .map(([depth, how]) => {
      const d = how === 'block' ? Math.min(depth, 1000) : depth;
      const nest =
        how === 'flow-seq'
          ? '['.repeat(d) + ']'.repeat(d)
          : how === 'flow-map'
            ? '{a: '.repeat(d) + '1' + '}'.repeat(d)
            : '\n' + Array.from({ length: d }, (_, i) => `${' '.repeat(i)}- `).join('\n') + '1';
      return {
        cls: 'deep-nesting' as const,
        text: baseText.replace('name: hostile-base', `name: ${nest}`),
        field: null,
      };
    }),
  binary: fc
    .uint8Array({ minLength: 1, maxLength: 4096 })
    .map((bytes) => ({ cls: 'binary' as const, text: Buffer.from(bytes).toString('utf8'), field: null })),
  truncation: fc
    .nat(baseText.length - 1)
    .map((n) => ({ cls: 'truncation' as const, text: baseText.slice(0, n), field: null })),
  tag: fc
    .tuple(
      fc.constantFrom(...LEAF_PATHS),
      fc.constantFrom('!!js/function', '!custom', '!!binary', '!!python/object', '!<tag:x>'),
    )
    .map(([p, tag]) => ({
      cls: 'tag' as const,
      text: yamlOf(withValue(p, `${RAW}0`), [`${tag} ${JSON.stringify(String(leaf(p)))}`]),
      field: null,
    })),
};

function leaf(p: Path): Json {
  let v: Json = BASE_SCENARIO;
  for (const k of p) v = (v as Record<string | number, Json>)[k];
  return v;
}

export const anyScenarioCase = fc.oneof(...SCENARIO_CLASSES.map((c) => scenarioCase[c]));

export interface Outcome {
  accepted: boolean;
  /** What is wrong with how the input was handled; null when it was handled well. */
  defect: string | null;
  ms: number;
}

/** Per-input bound on CPU time: the largest scenario file (1 MiB) is handled well under it. */
export const MAX_MS_PER_INPUT = 2000;

/** CPU time (user + system) since `t0`, in ms: wall time on a shared machine says more about the neighbours. */
function cpuMsSince(t0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

export function checkScenarioCase(c: ScenarioCase, file = 'hostile.yaml'): Outcome {
  const t0 = process.cpuUsage();
  const ms = () => cpuMsSince(t0);
  try {
    parseScenario(c.text, file);
    return { accepted: true, defect: ms() > MAX_MS_PER_INPUT ? `took ${ms()} ms` : null, ms: ms() };
  } catch (err) {
    const elapsed = ms();
    if (!(err instanceof ScenarioError))
      return { accepted: false, defect: `threw ${String(err)}`, ms: elapsed };
    if (elapsed > MAX_MS_PER_INPUT) return { accepted: false, defect: `took ${elapsed} ms`, ms: elapsed };
    for (const p of err.problems) {
      if (p.file !== file) return { accepted: false, defect: `problem names file '${p.file}'`, ms: elapsed };
      if (
        p.message === '' ||
        /\n\s+at /.test(p.message) ||
        /Maximum call stack|ReferenceError|TypeError/.test(p.message)
      )
        return { accepted: false, defect: `bad message: ${p.message}`, ms: elapsed };
      // Only a problem with the whole file (its size) may come without a line.
      if (p.line < 1 && !(p.field === '' && /bytes, larger than/.test(p.message)))
        return { accepted: false, defect: `no line for: ${p.message}`, ms: elapsed };
    }
    if (c.field !== null) {
      const top = c.field.split(/[.[]/)[0]!;
      const named = err.problems.some(
        (p) => p.field.startsWith(top) || c.field!.startsWith(p.field) || p.message.includes(top),
      );
      if (!named)
        return { accepted: false, defect: `no problem names '${c.field}': ${err.message}`, ms: elapsed };
    }
    return { accepted: false, defect: null, ms: elapsed };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Traces.

export const TRACE_CLASSES = [
  'flip-char',
  'drop-line',
  'duplicate-line',
  'swap-lines',
  'edit-footer',
  'truncate',
  'junk-line',
] as const;
export type TraceClass = (typeof TRACE_CLASSES)[number];

let baseTrace: string | null = null;
/** A small real trace (a 1-node upgrade, 20 simulated minutes); computed once. */
export function sampleTrace(): string {
  baseTrace ??= simulate(
    parseScenario(
      'name: fuzz\nduration: 20m\ncluster: { controlPlanes: 1, version: v1.7.6 }\nupgrade: { to: v1.8.0, at: 2m }\ncheckpointEvery: 5m\n',
      'fuzz.yaml',
    ),
  ).trace!;
  return baseTrace;
}

export interface TraceCase {
  cls: TraceClass;
  text: string;
}

export function traceCase(cls: TraceClass): fc.Arbitrary<TraceCase> {
  return fc
    .tuple(fc.nat(), fc.nat(), fc.string({ minLength: 1, maxLength: 8 }), fc.integer())
    .map(([a, b, junk, n]) => {
      const text = sampleTrace();
      const lines = text.split('\n');
      lines.pop();
      const i = a % lines.length;
      const j = b % lines.length;
      switch (cls) {
        case 'flip-char': {
          const line = lines[i]!;
          const k = b % line.length;
          const c = line[k] === '1' ? '2' : line[k] === 'a' ? 'b' : '1';
          lines[i] = line.slice(0, k) + c + line.slice(k + 1);
          break;
        }
        case 'drop-line':
          lines.splice(i, 1);
          break;
        case 'duplicate-line':
          lines.splice(i, 0, lines[i]!);
          break;
        case 'swap-lines':
          [lines[i], lines[j]] = [lines[j]!, lines[i]!];
          break;
        case 'edit-footer': {
          const footer = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
          const keys = Object.keys(footer).filter((k) => k !== 'kind');
          const k = keys[a % keys.length]!;
          footer[k] = [n, junk, null, {}, true][b % 5];
          lines[lines.length - 1] = JSON.stringify(footer);
          break;
        }
        case 'truncate':
          return { cls, text: text.slice(0, a % text.length) };
        case 'junk-line':
          lines.splice(i, 0, junk);
          break;
      }
      return { cls, text: lines.join('\n') + '\n' };
    });
}

export const anyTraceCase = fc.oneof(...TRACE_CLASSES.map(traceCase));

/**
 * A damaged trace may be rejected (TraceError) or read with problems, but it may only be reported as a
 * complete, verified trace if its content is exactly the original's.
 */
export function checkTraceCase(c: TraceCase): Outcome {
  const t0 = process.cpuUsage();
  const ms = () => cpuMsSince(t0);
  try {
    const t = readTraceText(c.text, 'fuzz.jsonl');
    const verified = t.problems.length === 0 && !t.partial && t.hashOk === true;
    if (verified && c.text !== sampleTrace()) {
      const o = readTraceText(sampleTrace(), 'fuzz.jsonl');
      const same =
        JSON.stringify([t.header, t.events, t.checkpoints, t.footer]) ===
        JSON.stringify([o.header, o.events, o.checkpoints, o.footer]);
      if (!same) return { accepted: true, defect: 'a changed trace verified', ms: ms() };
    }
    return { accepted: verified, defect: ms() > MAX_MS_PER_INPUT ? `took ${ms()} ms` : null, ms: ms() };
  } catch (err) {
    if (err instanceof TraceError) return { accepted: false, defect: null, ms: ms() };
    return { accepted: false, defect: `threw ${String(err)}`, ms: ms() };
  }
}

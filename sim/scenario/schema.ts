// JSON Schema (draft-07) for the *file* form of a scenario (scenarios/*.yaml), as written by people.
// It checks shape only: types, allowed keys, enums, duration syntax. Cross-field rules (node names exist,
// times fall inside the run, explicit orders are complete) live in load.ts, which also applies defaults
// and produces the normalised `Scenario`.
import type { ErrorObject, FuncKeywordDefinition, ValidateFunction } from 'ajv';
import { BOOTLOADER_PROFILES, TALOS_PROFILES } from '../../models/types.js';
import { FAULT_KINDS, RANDOM_FAULT_KINDS } from '../faults/index.js';
import { RATE_PER_NODE_HOUR_MAX } from '../faults/kind.js';
import { formatMs, parseDurationMs } from '../engine/duration.js';
import {
  MAX_API_MS,
  MAX_DURATION_MS,
  MAX_TIMING_MS,
  MAX_WRITES_PER_SECOND,
  MIN_CHECKPOINT_EVERY_MS,
  MIN_POLICY_TIMEOUT_MS,
  MAX_CONTROL_PLANES,
  MAX_WORKERS,
} from './limits.js';
import { POLICY_PRESET_NAMES } from './policies.js';
import { compileValidator, precompiledValidator } from './precompiled.js';
import { fuzzSchema } from './fuzz.js';
import { INVARIANT_NAMES, QUIRKS } from './types.js';

export { MAX_CONTROL_PLANES, MAX_WORKERS } from './limits.js';

// Mirrors parseDurationMs in sim/engine/duration.ts: a bare number of ms, or unit terms like 1h30m.
const DURATION_TERM = '(?:\\d+|(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+)';
export const DURATION_PATTERN = `^\\s*${DURATION_TERM}\\s*$`;
export const RANGE_PATTERN = `^\\s*${DURATION_TERM}(?:\\s*\\.\\.\\s*${DURATION_TERM})?\\s*$`;
export const VERSION_PATTERN = '^v\\d+\\.\\d+\\.\\d+(?:[-+][0-9A-Za-z.+-]+)?$';
// A TCP port from 1 to 65535, spelled without leading zeros.
const PORT = '(?:[1-9]\\d{0,3}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5])';
export const ATTACH_PATTERN = `^[^\\s:]+:${PORT}$|^\\[[0-9A-Fa-f:.]+\\]:${PORT}$`;

const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

/**
 * Bounds on a duration or range, checked by the `durationMs` keyword below on the parsed value, so no
 * spelling (a 400-digit number, 99999999h) gets past them as Infinity. Every `duration` and `range` carries
 * the global cap, so keys added later are bounded without a special case; a knob with a tighter range uses
 * `boundedDuration` / `boundedRange` instead of the plain reference.
 */
interface DurationBounds {
  minMs?: number;
  maxMs: number;
}

export function boundedDuration(bounds: DurationBounds) {
  return { type: ['string', 'number'], pattern: DURATION_PATTERN, minimum: 0, durationMs: bounds };
}

export function boundedRange(bounds: DurationBounds) {
  return { type: ['string', 'number'], pattern: RANGE_PATTERN, minimum: 0, durationMs: bounds };
}

function durationOutOfBounds(bounds: DurationBounds, data: unknown): string | null {
  if (typeof data !== 'string' && typeof data !== 'number') return null;
  const ends = typeof data === 'string' ? data.split('..') : [data];
  for (const end of ends) {
    let ms: number;
    try {
      ms = parseDurationMs(typeof end === 'string' ? end.trim() : end);
    } catch {
      return null; // Malformed: the pattern or type keyword reports it.
    }
    if (!Number.isFinite(ms) || ms > bounds.maxMs) return `must be at most ${formatMs(bounds.maxMs)}`;
    if (bounds.minMs !== undefined && ms < bounds.minMs)
      return `must be at least ${formatMs(bounds.minMs)} (got ${formatMs(ms)})`;
  }
  return null;
}

function fault(type: string, required: string[], properties: Readonly<Record<string, unknown>>) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['type', ...required],
    properties: { type: { const: type }, at: ref('duration'), ...properties },
  };
}

function randomFault(properties: Readonly<Record<string, unknown>>, required: readonly string[]) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['ratePerNodeHour', ...required],
    properties: {
      ratePerNodeHour: { type: 'number', minimum: 0, maximum: RATE_PER_NODE_HOUR_MAX },
      ...properties,
    },
  };
}

/** The `faults:` item schemas and the `random:` keys, one per registered fault kind (sim/faults/index.ts). */
const FAULT_ITEMS = FAULT_KINDS.map((k) => fault(k.type, [...k.required], k.properties));
const RANDOM_KEYS = Object.fromEntries(
  RANDOM_FAULT_KINDS.map((k) => [k.random!.key, randomFault(k.random!.properties, k.random!.required)]),
);

export const SCENARIO_FILE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://upgradelab.dev/schema/scenario.json',
  title: 'upgradelab scenario file',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'cluster'],
  definitions: {
    duration: boundedDuration({ maxMs: MAX_DURATION_MS }),
    range: boundedRange({ maxMs: MAX_DURATION_MS }),
    version: { type: 'string', pattern: VERSION_PATTERN },
    nodeName: { type: 'string', minLength: 1 },
    nodeList: { type: 'array', items: ref('nodeName') },
    times: {
      if: { type: 'string' },
      then: { const: 'always' },
      else: { type: 'integer', minimum: 1 },
    },
    plainMatcher: {
      type: 'object',
      required: ['type'],
      properties: { type: { type: 'string', minLength: 1 } },
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    },
    eventMatcher: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { type: 'string', minLength: 1 },
        after: ref('plainMatcher'),
        before: ref('plainMatcher'),
        within: ref('duration'),
      },
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    },
    invariantList: { type: 'array', uniqueItems: true, items: { type: 'string', enum: INVARIANT_NAMES } },
    policyObject: {
      type: 'object',
      additionalProperties: false,
      properties: {
        preset: { type: 'string', enum: POLICY_PRESET_NAMES },
        order: { type: 'string', enum: ['controlplane-first', 'workers-first', 'explicit'] },
        explicitOrder: ref('nodeList'),
        parallel: { type: 'integer', minimum: 1, maximum: MAX_WORKERS },
        healthGate: { type: 'boolean' },
        preserve: { type: 'boolean' },
        stage: { type: 'boolean' },
        force: { type: 'boolean' },
        rebootMode: { type: 'string', enum: ['kexec', 'powercycle'] },
        retries: { type: 'integer', minimum: 0, maximum: 100 },
        nodeTimeout: boundedDuration({ minMs: MIN_POLICY_TIMEOUT_MS, maxMs: MAX_DURATION_MS }),
        healthTimeout: boundedDuration({ minMs: MIN_POLICY_TIMEOUT_MS, maxMs: MAX_DURATION_MS }),
        onFailure: { type: 'string', enum: ['halt', 'skip', 'continue'] },
        etcdRejoin: { type: 'string', enum: ['learner', 'in-place'] },
      },
    },
  },
  properties: {
    name: { type: 'string', minLength: 1 },
    seed: { type: ['string', 'integer'] },
    duration: ref('duration'),
    liveness: {
      type: 'object',
      additionalProperties: false,
      properties: { faultsUntil: ref('duration'), bound: ref('duration') },
    },
    profile: { type: 'string', enum: TALOS_PROFILES },
    bootloader: { type: 'string', enum: BOOTLOADER_PROFILES },
    bootTries: { type: 'integer', minimum: 1, maximum: 100 },
    cluster: {
      type: 'object',
      additionalProperties: false,
      required: ['controlPlanes', 'version'],
      properties: {
        controlPlanes: { type: 'integer', minimum: 1, maximum: MAX_CONTROL_PLANES },
        workers: { type: 'integer', minimum: 0, maximum: MAX_WORKERS },
        version: ref('version'),
        previousVersion: ref('version'),
        nodes: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: { name: ref('nodeName'), attach: { type: 'string', pattern: ATTACH_PATTERN } },
          },
        },
      },
    },
    timing: {
      type: 'object',
      additionalProperties: false,
      properties: {
        firmware: boundedRange({ maxMs: MAX_TIMING_MS }),
        kernel: boundedRange({ maxMs: MAX_TIMING_MS }),
        init: boundedRange({ maxMs: MAX_TIMING_MS }),
        boot: boundedRange({ maxMs: MAX_TIMING_MS }),
        ready: boundedRange({ maxMs: MAX_TIMING_MS }),
        cordon: boundedRange({ maxMs: MAX_TIMING_MS }),
        drain: boundedRange({ maxMs: MAX_TIMING_MS }),
        install: boundedRange({ maxMs: MAX_TIMING_MS }),
        api: boundedRange({ maxMs: MAX_API_MS }),
      },
    },
    upgrade: {
      type: 'object',
      additionalProperties: false,
      required: ['to'],
      properties: {
        to: ref('version'),
        at: ref('duration'),
        policy: {
          if: { type: 'string' },
          then: { enum: POLICY_PRESET_NAMES },
          else: ref('policyObject'),
        },
      },
    },
    faults: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        required: ['type'],
        properties: { type: { type: 'string', enum: FAULT_KINDS.map((k) => k.type) } },
        discriminator: { propertyName: 'type' },
        oneOf: FAULT_ITEMS,
      },
    },
    fuzz: fuzzSchema({ range: ref('range'), nodeList: ref('nodeList'), invariantNames: INVARIANT_NAMES }),
    random: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...RANDOM_KEYS,
        maxConcurrent: { type: 'integer', minimum: 1, maximum: 1000 },
        from: ref('duration'),
      },
    },
    workload: {
      type: 'object',
      additionalProperties: false,
      properties: {
        etcdWritesPerSecond: { type: 'number', minimum: 0, maximum: MAX_WRITES_PER_SECOND },
        trace: { type: 'string', enum: ['batch', 'each'] },
      },
    },
    quirks: { type: 'array', uniqueItems: true, items: { type: 'string', enum: QUIRKS } },
    invariants: {
      type: 'array',
      uniqueItems: true,
      minItems: 1,
      items: { type: 'string', enum: INVARIANT_NAMES },
    },
    quorumTolerateFaults: { type: 'boolean' },
    checkpointEvery: boundedDuration({ minMs: MIN_CHECKPOINT_EVERY_MS, maxMs: MAX_DURATION_MS }),
    expect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        violations: ref('invariantList'),
        holds: ref('invariantList'),
        finalVersions: { type: 'object', additionalProperties: ref('version') },
        writesLostMax: { type: 'integer', minimum: 0 },
        learners: ref('nodeList'),
        finalStates: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
        events: { type: 'array', items: ref('eventMatcher') },
        absentEvents: { type: 'array', items: ref('eventMatcher') },
      },
    },
  },
} as const;

/** The `durationMs` keyword (bounds on a parsed duration, see DurationBounds). */
export const DURATION_KEYWORD = {
  keyword: 'durationMs',
  schemaType: 'object',
  errors: true,
  validate: function durationMs(bounds: DurationBounds, data: unknown): boolean {
    const message = durationOutOfBounds(bounds, data);
    (durationMs as { errors?: Partial<ErrorObject>[] }).errors = message
      ? [{ keyword: 'durationMs', message, params: bounds as unknown as Record<string, unknown> }]
      : [];
    return message === null;
  },
} satisfies FuncKeywordDefinition;

/** The user-defined keywords' functions, by keyword: what a precompiled validator is given (precompiled.ts). */
export const SCHEMA_KEYWORDS = { durationMs: DURATION_KEYWORD.validate };

let compiled: ValidateFunction | undefined;

/** The validator: the one `npm run build` generated (precompiled.ts), else compiled once, on first use.
 *  Errors are verbose so messages can name allowed keys. */
export function scenarioFileValidator(): ValidateFunction {
  if (!compiled) compiled = precompiledValidator(SCHEMA_KEYWORDS) ?? compileValidator().validate;
  return compiled;
}

/** Validates a parsed scenario file (plain JS data) and returns ajv's errors, or [] when the shape is right. */
export function validateScenarioFile(data: unknown): ErrorObject[] {
  const validate = scenarioFileValidator();
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

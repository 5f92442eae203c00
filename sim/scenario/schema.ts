// JSON Schema (draft-07) for the *file* form of a scenario (scenarios/*.yaml), as written by people.
// It checks shape only: types, allowed keys, enums, duration syntax. Cross-field rules (node names exist,
// times fall inside the run, explicit orders are complete) live in load.ts, which also applies defaults
// and produces the normalised `Scenario`.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { BOOTLOADER_PROFILES, TALOS_PROFILES } from '../../models/types.js';
import { POLICY_PRESET_NAMES } from './policies.js';
import { compileValidator, precompiledValidator } from './precompiled.js';
import { INVARIANT_NAMES, QUIRKS } from './types.js';

/** Upper bounds on sizes (STYLE.md habit 6). `naive` runs 100 nodes per role at once, so no role may exceed it. */
export const MAX_CONTROL_PLANES = 99;
export const MAX_WORKERS = 100;

// Mirrors parseDurationMs in sim/engine/duration.ts: a bare number of ms, or unit terms like 1h30m.
const DURATION_TERM = '(?:\\d+|(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+)';
export const DURATION_PATTERN = `^\\s*${DURATION_TERM}\\s*$`;
export const RANGE_PATTERN = `^\\s*${DURATION_TERM}(?:\\s*\\.\\.\\s*${DURATION_TERM})?\\s*$`;
export const VERSION_PATTERN = '^v\\d+\\.\\d+\\.\\d+(?:[-+][0-9A-Za-z.+-]+)?$';
export const ATTACH_PATTERN = '^[^\\s:]+:\\d{1,5}$|^\\[[0-9A-Fa-f:.]+\\]:\\d{1,5}$';

const FAULT_TYPES = [
  'powerLoss',
  'failedBoot',
  'diskWipe',
  'partition',
  'bootPartitionFull',
  'etcdLeaveFails',
  'installFails',
  'busyMounts',
  'etcdRemoveMember',
];
const BOOT_FAIL_STAGES = ['kernel', 'init', 'powercycle'];
const DISK_LABELS = ['EPHEMERAL', 'STATE', 'META', 'BOOT', 'all'];

const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

function fault(type: string, required: string[], properties: Record<string, unknown>) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['type', ...required],
    properties: { type: { const: type }, at: ref('duration'), ...properties },
  };
}

function randomFault(properties: Record<string, unknown>, required: string[]) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['ratePerNodeHour', ...required],
    properties: { ratePerNodeHour: { type: 'number', minimum: 0, maximum: 3600 }, ...properties },
  };
}

export const SCENARIO_FILE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://upgradelab.dev/schema/scenario.json',
  title: 'upgradelab scenario file',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'cluster'],
  definitions: {
    duration: { type: ['string', 'number'], pattern: DURATION_PATTERN, minimum: 0 },
    range: { type: ['string', 'number'], pattern: RANGE_PATTERN, minimum: 0 },
    version: { type: 'string', pattern: VERSION_PATTERN },
    nodeName: { type: 'string', minLength: 1 },
    nodeList: { type: 'array', items: ref('nodeName') },
    times: {
      if: { type: 'string' },
      then: { const: 'always' },
      else: { type: 'integer', minimum: 1 },
    },
    stage: { type: 'string', enum: BOOT_FAIL_STAGES },
    eventMatcher: {
      type: 'object',
      required: ['type'],
      properties: { type: { type: 'string', minLength: 1 } },
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
        parallel: { type: 'integer', minimum: 1, maximum: 100 },
        healthGate: { type: 'boolean' },
        preserve: { type: 'boolean' },
        stage: { type: 'boolean' },
        force: { type: 'boolean' },
        rebootMode: { type: 'string', enum: ['kexec', 'powercycle'] },
        retries: { type: 'integer', minimum: 0, maximum: 100 },
        nodeTimeout: ref('duration'),
        healthTimeout: ref('duration'),
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
        firmware: ref('range'),
        kernel: ref('range'),
        init: ref('range'),
        boot: ref('range'),
        ready: ref('range'),
        cordon: ref('range'),
        drain: ref('range'),
        install: ref('range'),
        api: ref('range'),
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
        properties: { type: { type: 'string', enum: FAULT_TYPES } },
        discriminator: { propertyName: 'type' },
        oneOf: [
          fault('powerLoss', ['at', 'node', 'duration'], {
            node: ref('nodeName'),
            duration: ref('duration'),
          }),
          fault('failedBoot', ['node'], {
            node: ref('nodeName'),
            version: ref('version'),
            stage: ref('stage'),
            times: ref('times'),
          }),
          fault('diskWipe', ['at', 'node', 'label'], {
            node: ref('nodeName'),
            label: { type: 'string', enum: DISK_LABELS },
          }),
          fault('partition', ['at', 'duration'], {
            groups: {
              type: 'array',
              minItems: 1,
              items: { type: 'array', minItems: 1, items: ref('nodeName') },
            },
            isolate: ref('nodeName'),
            oneWay: { type: 'boolean' },
            ports: { type: 'string', enum: ['all', 'peer'] },
            duration: ref('duration'),
          }),
          fault('bootPartitionFull', ['node'], { node: ref('nodeName'), duration: ref('duration') }),
          fault('etcdLeaveFails', ['node'], {
            node: ref('nodeName'),
            times: ref('times'),
            applied: { type: 'boolean' },
          }),
          fault('installFails', ['node'], {
            node: ref('nodeName'),
            reason: { type: 'string', minLength: 1 },
            duration: ref('duration'),
          }),
          fault('busyMounts', ['node'], { node: ref('nodeName'), duration: ref('duration') }),
          fault('etcdRemoveMember', ['at', 'node'], { node: ref('nodeName'), via: ref('nodeName') }),
        ],
      },
    },
    random: {
      type: 'object',
      additionalProperties: false,
      properties: {
        powerLoss: randomFault({ duration: ref('range') }, ['duration']),
        isolate: randomFault({ duration: ref('range') }, ['duration']),
        failedBoot: randomFault({ stage: ref('stage') }, []),
        maxConcurrent: { type: 'integer', minimum: 1, maximum: 1000 },
        from: ref('duration'),
      },
    },
    workload: {
      type: 'object',
      additionalProperties: false,
      properties: { etcdWritesPerSecond: { type: 'number', minimum: 0, maximum: 10_000 } },
    },
    quirks: { type: 'array', uniqueItems: true, items: { type: 'string', enum: QUIRKS } },
    invariants: ref('invariantList'),
    quorumTolerateFaults: { type: 'boolean' },
    checkpointEvery: ref('duration'),
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

let compiled: ValidateFunction | undefined;

/** The validator: the one `npm run build` generated (precompiled.ts), else compiled once, on first use.
 *  Errors are verbose so messages can name allowed keys. */
export function scenarioFileValidator(): ValidateFunction {
  if (!compiled) compiled = precompiledValidator() ?? compileValidator().validate;
  return compiled;
}

/** Validates a parsed scenario file (plain JS data) and returns ajv's errors, or [] when the shape is right. */
export function validateScenarioFile(data: unknown): ErrorObject[] {
  const validate = scenarioFileValidator();
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

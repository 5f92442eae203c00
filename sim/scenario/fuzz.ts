// A scenario's `fuzz:` block: the fault space `upgradelab fuzz` explores for this very scenario (which
// fault kinds, on which nodes, inside which window, how many at once and in all). The loader checks it
// like every other block (file:line:field); the CLI turns it into a faultSchedule arbitrary.
//
//   fuzz:
//     kinds: [powerLoss, isolate, oneWayCut]   # default [powerLoss, isolate]
//     nodes: [cp1, cp2, cp3]                   # default: every node
//     window: 5m..40m                          # default: upgrade.at .. liveness.faultsUntil
//     maxConcurrent: 1                         # default 1
//     budget: 4                                # at most this many faults in all (default 4)
//     duration: 10s..5m                        # fault durations (default 10s..5m)
//     stages: [init, kernel]                   # failedBoot stages (default [init])
//     invariants: [quorum]                     # what must hold (default: the scenario's invariants)
import type { FaultParseContext, FieldPath } from '../faults/kind.js';
import { SCHEDULE_FAULT_KINDS, type ScheduleFaultKind } from '../testing/fault-kinds.js';
import type { RangeMs } from '../engine/duration.js';

export interface FuzzSpec {
  kinds: ScheduleFaultKind[];
  nodes: string[];
  fromMs: number;
  untilMs: number;
  maxConcurrent: number;
  budget: number;
  durationMs: RangeMs;
  stages: string[];
  /** Null: the scenario's own invariants. */
  invariants: string[] | null;
}

/** Bounds (STYLE.md habit 6): a fuzz run's schedule stays small enough to read and to shrink. */
export const FUZZ_BUDGET_MAX = 50;
export const FUZZ_CONCURRENT_MAX = 10;

export function fuzzSchema(refs: { range: object; nodeList: object; invariantNames: readonly string[] }) {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      kinds: { type: 'array', minItems: 1, items: { type: 'string', enum: SCHEDULE_FAULT_KINDS } },
      nodes: refs.nodeList,
      window: refs.range,
      maxConcurrent: { type: 'integer', minimum: 1, maximum: FUZZ_CONCURRENT_MAX },
      budget: { type: 'integer', minimum: 0, maximum: FUZZ_BUDGET_MAX },
      duration: refs.range,
      stages: {
        type: 'array',
        minItems: 1,
        items: { type: 'string', enum: ['init', 'kernel', 'hang', 'initramfs', 'powercycle'] },
      },
      invariants: { type: 'array', minItems: 1, items: { type: 'string', enum: refs.invariantNames } },
    },
  };
}

type Obj = Record<string, unknown>;

/** Parse and cross-check a `fuzz:` block (the schema has checked its shape). */
export function parseFuzz(
  raw: Obj,
  ctx: FaultParseContext,
  run: { upgradeAtMs: number | null; faultsUntilMs: number; invariants: readonly string[] },
): FuzzSpec {
  const path: FieldPath = ['fuzz'];
  const kinds = (Array.isArray(raw.kinds) ? raw.kinds : ['powerLoss', 'isolate']) as ScheduleFaultKind[];
  const nodes = Array.isArray(raw.nodes)
    ? raw.nodes.map((n, i) => ctx.node(n, [...path, 'nodes', i]))
    : [...ctx.nodeNames];
  const window = raw.window === undefined ? undefined : ctx.range(raw.window, [...path, 'window']);
  const fromMs = window?.minMs ?? run.upgradeAtMs ?? 0;
  const untilMs = window?.maxMs ?? run.faultsUntilMs;
  // The liveness phase must start from a healed cluster (F§7): faults end by liveness.faultsUntil.
  if (untilMs > run.faultsUntilMs)
    ctx.problem(
      [...path, 'window'],
      `ends after liveness.faultsUntil (${run.faultsUntilMs} ms): faults must stop before the liveness phase`,
    );
  if (fromMs > untilMs) ctx.problem([...path, 'window'], 'starts after liveness.faultsUntil');
  const cps = nodes.filter((n) => ctx.controlPlanes.has(n));
  if (
    ctx.nodesKnown &&
    cps.length === 0 &&
    kinds.some((k) => k === 'etcdLeaveFails' || k === 'etcdRemoveMember')
  )
    ctx.problem([...path, 'kinds'], 'etcd faults need at least one control plane among fuzz.nodes');
  if (kinds.includes('failedBoot') && ctx.upgradeTo === null)
    ctx.problem([...path, 'kinds'], 'failedBoot needs an upgrade (the target image is the one that fails)');
  const invariants = Array.isArray(raw.invariants) ? (raw.invariants as string[]) : null;
  (invariants ?? []).forEach((name, i) => {
    if (!run.invariants.includes(name))
      ctx.problem([...path, 'invariants', i], `'${name}' is not among the scenario's invariants`);
  });
  return {
    kinds,
    nodes,
    fromMs,
    untilMs,
    maxConcurrent: typeof raw.maxConcurrent === 'number' ? raw.maxConcurrent : 1,
    budget: typeof raw.budget === 'number' ? raw.budget : 4,
    durationMs: (raw.duration === undefined ? undefined : ctx.range(raw.duration, [...path, 'duration'])) ?? {
      minMs: 10_000,
      maxMs: 5 * 60_000,
    },
    stages: Array.isArray(raw.stages) ? (raw.stages as string[]) : ['init'],
    invariants,
  };
}

// What one fault kind is (STYLE.md habit 12, like etcd's failpoint.go and FoundationDB's REGISTER_WORKLOAD):
// the schema fragment of its `faults:` entry, the parsing and cross-field checks that turn that entry into a
// normalised spec, the injection (which starts and ends it through the registry, with its trace lines and
// the nodes it takes out), and optionally its random arrivals under `random:`. Adding a fault kind is one
// file exporting one `FaultKind`, listed once in `sim/faults/index.ts`; the schema, the loader, the
// scenario types and the run loop read the list and switch on nothing.
import type { RangeMs } from '../engine/duration.js';
import type { Stream } from '../engine/rng.js';
import type { FaultContext } from './registry.js';

/** A path into the scenario file, e.g. ['faults', 2, 'node'], used to position error messages. */
export type FieldPath = (string | number)[];

/** A fault entry as written in the file, after the schema checked its shape (reads stay defensive). */
export type RawFields = Record<string, unknown>;

/**
 * What a fault's parser may ask of the scenario loader. Every check reports through `problem`, which names
 * the file, line and field; values that the schema already rejected are passed as undefined and skipped.
 */
export interface FaultParseContext {
  /** The path of the entry being parsed (`faults[i]` or `random.<key>`). */
  readonly path: FieldPath;
  problem(path: FieldPath, message: string, atKey?: boolean): void;
  /** A node name that must exist; reports unknown names. */
  node(v: unknown, path: FieldPath): string;
  /** A duration in ms, or undefined if absent or malformed (the schema reports malformed ones). */
  durationMs(v: unknown): number | undefined;
  /** A range `45s..90s` (or a single duration) in ms; reports a maximum below the minimum. */
  range(v: unknown, path: FieldPath): RangeMs | undefined;
  /** `times:` — a positive count, or null for `always`; 1 when absent. */
  times(v: unknown): number | null;
  /** Node names in scenario order, and the control planes among them. */
  readonly nodeNames: readonly string[];
  readonly controlPlanes: ReadonlySet<string>;
  /** False when the cluster size itself is invalid: node references are then not checked (noise). */
  readonly nodesKnown: boolean;
  /** The upgrade's target version, or null when the scenario has no upgrade. */
  readonly upgradeTo: string | null;
  /**
   * Every version a node runs or boots here: the cluster's, its previous one and the upgrade's target;
   * empty when the cluster's version is missing (the schema reports that), so nothing is checked against it.
   */
  readonly versions: readonly string[];
}

/** A node the scenario declares as a worker (no etcd member); false for unknown names. */
export function isWorker(p: FaultParseContext, node: string): boolean {
  return p.nodesKnown && p.nodeNames.includes(node) && !p.controlPlanes.has(node);
}

/** Every normalised fault spec has its kind's `type` and the time it starts. */
export interface FaultSpecBase {
  type: string;
  atMs: number;
}

/** The random arrivals of one fault kind: Poisson per node at `ratePerNodeHour` (sim/faults/random.ts). */
export interface RandomArrivalKind<P> {
  /** The key under `random:` in the file (e.g. `isolate` for random partitions of one node). */
  readonly key: string;
  /** Keys required besides `ratePerNodeHour`, and the JSON-schema properties besides it. */
  readonly required: readonly string[];
  readonly properties: Readonly<Record<string, unknown>>;
  /** Normalise the entry's own fields (rate excluded); reports problems through `p`. */
  parse(raw: RawFields, p: FaultParseContext): P;
  /** Start one arrival on `node` now; draws its parameters from the `faults` stream. */
  fire(ctx: FaultContext, node: string, params: P, stream: Stream, targetVersion: string | null): void;
}

export interface FaultKind<S extends FaultSpecBase, P = never> {
  readonly type: S['type'];
  /** Keys an entry must give besides `type` (`at` included when the fault needs a start time). */
  readonly required: readonly string[];
  /** JSON-schema properties of the file form besides `type` and `at` (refs into schema.ts definitions). */
  readonly properties: Readonly<Record<string, unknown>>;
  /** Normalise one entry; `atMs` is already parsed and checked against the run's duration. */
  parse(raw: RawFields, atMs: number, p: FaultParseContext): S;
  /** Start the fault now (at `spec.atMs`), through `ctx.registry`. */
  inject(ctx: FaultContext, spec: S): void;
  readonly random?: RandomArrivalKind<P>;
}

/** A reference to a shared definition of the scenario schema (duration, range, nodeName, version, times). */
export function schemaRef(name: 'duration' | 'range' | 'nodeName' | 'version' | 'times'): { $ref: string } {
  return { $ref: `#/definitions/${name}` };
}

/** Bounds shared by every random arrival (STYLE.md habit 6): at most one arrival per node per second. */
export const RATE_PER_NODE_HOUR_MAX = 3600;

/** A condition held on one node from `atMs` for `durationMs` (null: until the liveness phase). */
export interface NodeConditionSpec<T extends string> extends FaultSpecBase {
  type: T;
  node: string;
  /** null: until the liveness phase. */
  durationMs: number | null;
}

/** The same, with free text that the node reports when the condition bites. */
export interface NodeConditionReasonSpec<T extends string> extends NodeConditionSpec<T> {
  reason: string;
}

/**
 * A fault kind that switches a condition of one node on for a while (installFails, imagePullFails,
 * busyMounts, bootPartitionFull): `{ node, duration? }` in the file, held through the registry's
 * condition (so it starts and ends in the trace and counts against the quorum excuse like any fault),
 * with `set(ctx, node, on)` switching the node's condition through a world verb.
 */
export function nodeConditionKind<T extends string>(
  type: T,
  set: (ctx: FaultContext, node: string, on: boolean) => void,
): FaultKind<NodeConditionSpec<T>> {
  return {
    type,
    required: ['node'],
    properties: { node: schemaRef('nodeName'), duration: schemaRef('duration') },
    parse: (raw, atMs, p) => ({
      type,
      atMs,
      node: p.node(raw.node, [...p.path, 'node']),
      durationMs: p.durationMs(raw.duration) ?? null,
    }),
    inject: (ctx, f) =>
      ctx.registry.condition(ctx.scheduler, { type, node: f.node }, f.durationMs, (on) =>
        set(ctx, f.node, on),
      ),
  };
}

/**
 * `nodeConditionKind` with a `reason` (default `defaultReason`) that the trace shows as the fault's detail
 * and `set` receives while the condition holds (null when it ends).
 */
export function nodeConditionReasonKind<T extends string>(
  type: T,
  defaultReason: string,
  set: (ctx: FaultContext, node: string, reason: string | null) => void,
): FaultKind<NodeConditionReasonSpec<T>> {
  return {
    type,
    required: ['node'],
    properties: {
      node: schemaRef('nodeName'),
      reason: { type: 'string', minLength: 1 },
      duration: schemaRef('duration'),
    },
    parse: (raw, atMs, p) => ({
      type,
      atMs,
      node: p.node(raw.node, [...p.path, 'node']),
      reason: typeof raw.reason === 'string' ? raw.reason : defaultReason,
      durationMs: p.durationMs(raw.duration) ?? null,
    }),
    inject: (ctx, f) =>
      ctx.registry.condition(ctx.scheduler, { type, node: f.node, detail: f.reason }, f.durationMs, (on) =>
        set(ctx, f.node, on ? f.reason : null),
      ),
  };
}

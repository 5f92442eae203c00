// The fault kinds, registered once. This list is the only place that names them all: the scenario schema,
// the loader, the normalised scenario types, the random injector and the run loop all read it (STYLE.md
// habit 12). A new kind is one new file exporting a `FaultKind` and one line here.
//
// The order matters for one thing only: random arrivals are armed in this order, each drawing from the
// `faults` stream, so a seed's random faults stay the same as long as the order does.
import type { Stream } from '../engine/rng.js';
import { bootPartitionFullKind } from './boot-partition-full.js';
import { busyMountsKind } from './busy-mounts.js';
import { diskWipeKind } from './disk-wipe.js';
import { etcdLeaveFailsKind } from './etcd-leave-fails.js';
import { etcdRemoveMemberKind } from './etcd-remove-member.js';
import { failedBootKind } from './failed-boot.js';
import { imagePullFailsKind } from './image-pull-fails.js';
import { installFailsKind } from './install-fails.js';
import type { FaultKind, FaultParseContext, FaultSpecBase, RawFields } from './kind.js';
import { partitionKind } from './partition.js';
import { powerLossKind } from './power-loss.js';
import type { FaultContext } from './registry.js';

const KINDS = [
  powerLossKind,
  partitionKind,
  failedBootKind,
  diskWipeKind,
  bootPartitionFullKind,
  etcdLeaveFailsKind,
  installFailsKind,
  busyMountsKind,
  etcdRemoveMemberKind,
  imagePullFailsKind,
] as const;

type SpecOf<K> = K extends FaultKind<infer S, infer _P> ? S : never;

/** One normalised `faults:` entry: the union of every registered kind's spec. */
export type FaultSpec = SpecOf<(typeof KINDS)[number]>;
export type FaultType = FaultSpec['type'];

/** One normalised `random:` arrival: which kind (its key under `random:`), its rate and its own fields. */
export interface RandomArrival {
  key: string;
  ratePerNodeHour: number;
  params: unknown;
}

/** A registered kind with its spec type erased, so the list can be walked without a switch. */
export interface RegisteredFaultKind {
  readonly type: FaultType;
  readonly required: readonly string[];
  readonly properties: Readonly<Record<string, unknown>>;
  parse(raw: RawFields, atMs: number, p: FaultParseContext): FaultSpec;
  inject(ctx: FaultContext, spec: FaultSpec): void;
  readonly random?: {
    readonly key: string;
    readonly required: readonly string[];
    readonly properties: Readonly<Record<string, unknown>>;
    parse(raw: RawFields, p: FaultParseContext): unknown;
    fire(ctx: FaultContext, node: string, params: unknown, stream: Stream, target: string | null): void;
  };
}

function register<S extends FaultSpec & FaultSpecBase, P>(k: FaultKind<S, P>): RegisteredFaultKind {
  const r = k.random;
  return {
    type: k.type,
    required: k.required,
    properties: k.properties,
    parse: (raw, atMs, p) => k.parse(raw, atMs, p),
    inject: (ctx, spec) => {
      // A bug, not an operating error: the run loop hands each spec to the kind that parsed it.
      if (spec.type !== k.type) throw new Error(`fault kind ${k.type} given a ${spec.type} spec`);
      k.inject(ctx, spec as S);
    },
    ...(r
      ? {
          random: {
            key: r.key,
            required: r.required,
            properties: r.properties,
            parse: (raw: RawFields, p: FaultParseContext) => r.parse(raw, p),
            fire: (ctx: FaultContext, node: string, params: unknown, stream: Stream, target: string | null) =>
              r.fire(ctx, node, params as P, stream, target),
          },
        }
      : {}),
  };
}

export const FAULT_KINDS: readonly RegisteredFaultKind[] = KINDS.map((k) =>
  register(k as FaultKind<FaultSpec, unknown>),
);

const BY_TYPE = new Map<string, RegisteredFaultKind>(FAULT_KINDS.map((k) => [k.type, k]));

/** The kind registered under `type`, or undefined (the schema rejects unknown types first). */
export function faultKind(type: unknown): RegisteredFaultKind | undefined {
  return typeof type === 'string' ? BY_TYPE.get(type) : undefined;
}

/** Kinds that have random arrivals, in registration order (the order they draw from the stream). */
export const RANDOM_FAULT_KINDS = FAULT_KINDS.filter((k) => k.random !== undefined);

/** Start one scheduled fault now. */
export function injectFault(ctx: FaultContext, spec: FaultSpec): void {
  const kind = BY_TYPE.get(spec.type);
  if (!kind) throw new Error(`no fault kind registered for '${spec.type}'`);
  kind.inject(ctx, spec);
}

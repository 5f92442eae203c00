// The trace contract (types.ts) as runtime data: every event type of the trace format (v1 and v2 have the
// same events) with its fields, and the node states a `node.state` event can carry. The scenario loader
// checks `expect:` matchers and `finalStates` against these, so a typo (`disk.wype`, `lable:`, `runing`) is
// an error instead of a matcher that can never match (issue 11). The mapped type makes the compiler reject a
// type or field added to types.ts but not here, and a field listed here that types.ts does not have.
import type { NodeCheckpoint, TraceEvent } from './types.js';

type FieldsOf<T extends TraceEvent['type']> = Exclude<
  keyof Extract<TraceEvent, { type: T }>,
  'kind' | 'type' | 't' | 'seq'
>;
type EventFieldTable = { readonly [T in TraceEvent['type']]: { readonly [F in FieldsOf<T>]: true } };

export const EVENT_FIELDS = {
  'node.state': { node: true, state: true, version: true, slot: true },
  'node.ready': { node: true, version: true },
  'boot.decision': { node: true, slot: true, reason: true, mode: true },
  'boot.failed': { node: true, stage: true, version: true, reverted: true },
  'slot.write': { node: true, slot: true, version: true, phase: true },
  'bootloader.flip': { node: true, default: true, fallback: true },
  meta: { node: true, key: true, value: true },
  'disk.wipe': { node: true, label: true },
  'upgrade.step': { node: true, step: true, detail: true },
  'etcd.member': { node: true, member: true, change: true, detail: true },
  'etcd.leader': { leader: true, term: true },
  'etcd.commit': {
    writes: true,
    ok: true,
    firstId: true,
    fromMs: true,
    fromIndex: true,
    index: true,
    error: true,
  },
  'etcd.write': { id: true, ok: true, index: true, error: true },
  'fault.start': { fault: true, id: true, node: true, detail: true },
  'fault.end': { fault: true, id: true, node: true, detail: true },
  orchestrator: { step: true, node: true, detail: true },
  api: { node: true, call: true, ok: true, detail: true },
  phase: { phase: true },
  violation: { invariant: true, nodes: true, message: true, liveness: true },
} as const satisfies EventFieldTable;

export type TraceEventType = keyof typeof EVENT_FIELDS;

export const TRACE_EVENT_TYPES = Object.keys(EVENT_FIELDS) as TraceEventType[];

export function isTraceEventType(type: unknown): type is TraceEventType {
  return typeof type === 'string' && Object.hasOwn(EVENT_FIELDS, type);
}

/** The fields of one event type, in the order of types.ts. */
export function eventFields(type: TraceEventType): string[] {
  return Object.keys(EVENT_FIELDS[type]);
}

/**
 * Every state name a node can report (`node.state` events, `final.states`, checkpoints). The node model
 * emits these names; test/unit/trace/fields.test.ts reads models/node.ts and fails if it emits one that is
 * missing here.
 */
export const NODE_STATES = [
  'off',
  'firmware',
  'kernel',
  'panicked',
  'hung',
  'initramfsFailed',
  'init',
  'running',
  'rebooting',
  'bootFailed',
  'sequenceFailed',
  'halted',
  'maintenance',
] as const;

export type NodeStateName = (typeof NODE_STATES)[number];

type NodeCheckpointField = Exclude<keyof NodeCheckpoint, 'name'>;

/**
 * The fields of a node's checkpoint record besides its name, in the order buildCheckpoint writes them: what
 * a `checkpoint-delta` line may carry for a node (sim/trace/checkpoint-delta.ts). The `satisfies` makes the
 * compiler reject a field added to NodeCheckpoint but not here, so a delta can never silently drop one.
 */
const NODE_CHECKPOINT_FIELD_TABLE = {
  state: true,
  version: true,
  bootedSlot: true,
  ready: true,
  upgrading: true,
  slots: true,
  bootloader: true,
  meta: true,
  etcd: true,
  powered: true,
} as const satisfies { readonly [F in NodeCheckpointField]: true };

export const NODE_CHECKPOINT_FIELDS = Object.keys(NODE_CHECKPOINT_FIELD_TABLE) as NodeCheckpointField[];

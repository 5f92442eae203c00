// The events the viewer handles: every event type of trace v1 and v2 (the same in both), plus any type a
// newer simulator adds (rendered generically, never a failure: other engineers add event types within a
// format version).
import type { TraceEvent } from '../../../sim/trace/types.js';

export interface UnknownEvent {
  kind: 'event';
  t: number;
  seq: number;
  type: string;
  node?: string;
  [field: string]: unknown;
}

export type AnyEvent = TraceEvent | UnknownEvent;

/** Narrows to a known event by its type tag. */
export function known<T extends TraceEvent['type']>(
  e: AnyEvent,
  type: T,
): e is Extract<TraceEvent, { type: T }> {
  return e.type === type;
}

/** A one-line description of any event, for the side panel and tooltips. */
export function describeEvent(e: AnyEvent): string {
  const { kind: _k, t: _t, seq: _s, type, ...rest } = e as UnknownEvent;
  const parts = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${type} ${parts.join(' ')}`.trim();
}

/** The node an event is about, if any. */
export function nodeOf(e: AnyEvent): string | null {
  const n = (e as { node?: unknown }).node;
  return typeof n === 'string' ? n : null;
}

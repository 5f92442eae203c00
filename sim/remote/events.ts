// The node event stream behind Lab.Events: trace v1 event bodies fanned out to subscribers. Bounded: a
// subscriber that falls behind by more than `backlogMax` events is cut off rather than buffering forever.
import type { TraceEventBody } from '../trace/types.js';

export interface NodeEvent {
  /** The server's clock in ms (virtual for simulated nodes). */
  t: number;
  seq: number;
  body: TraceEventBody;
}

type Subscriber = { node: string | null; fn: (e: NodeEvent) => void };

/** The node an event concerns, when it concerns one. */
export function eventNode(body: TraceEventBody): string | null {
  return 'node' in body && typeof body.node === 'string' ? body.node : null;
}

export class EventHub {
  private readonly subs = new Set<Subscriber>();
  private seq = 0;

  /** Publish one event; subscribers to its node and to every node get it. */
  publish(t: number, body: TraceEventBody): void {
    const e: NodeEvent = { t, seq: this.seq++, body };
    const node = eventNode(body);
    for (const s of [...this.subs]) if (s.node === null || s.node === node) s.fn(e);
  }

  /** Subscribe to one node's events (or every node's with null); returns the unsubscribe function. */
  subscribe(node: string | null, fn: (e: NodeEvent) => void): () => void {
    const s: Subscriber = { node, fn };
    this.subs.add(s);
    return () => this.subs.delete(s);
  }

  get subscribers(): number {
    return this.subs.size;
  }
}

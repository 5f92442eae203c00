// The trace-less mode's writer: it stands where a TraceWriter stands in a run but keeps no trace. Sweeps
// need verdicts and metrics, not lines: serialising every event to JSON and hashing it cost most of a
// sweep's time (issue 8: 166 ms per seed of the default scenario, most of it JSON.stringify and SHA-256).
// It still counts events per type, so the footer's `counts` agree with a traced run; the footer's `hash`
// is '' because there is nothing to hash, which a caller can tell from a real SHA-256 (64 hex digits).
import type { TraceCheckpoint, TraceEvent, TraceFooter, TraceHeader } from './types.js';
import type { FooterInput, TraceWriter } from './writer.js';

/** What a run needs of a writer; TraceWriter and CountingWriter both provide it. */
export type RunWriter = Pick<TraceWriter, 'header' | 'event' | 'checkpoint' | 'end' | 'abort' | 'counts'>;

export class CountingWriter implements RunWriter {
  private readonly eventCounts = new Map<string, number>();
  private ended = false;

  header(_h: TraceHeader): void {}

  event(e: TraceEvent): void {
    this.count(e.type);
  }

  /** Counts an event by type without it ever being built (the run's fast path when nobody watches). */
  count(type: string): void {
    if (this.ended) throw new Error('CountingWriter: event after the end of the run');
    this.eventCounts.set(type, (this.eventCounts.get(type) ?? 0) + 1);
  }

  checkpoint(_c: TraceCheckpoint): void {}

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key of [...this.eventCounts.keys()].sort()) out[key] = this.eventCounts.get(key) ?? 0;
    return out;
  }

  end(footer: FooterInput): TraceFooter {
    this.ended = true;
    return {
      kind: 'footer',
      t: footer.t,
      stop: footer.stop,
      counts: footer.counts ?? this.counts(),
      verdicts: footer.verdicts,
      metrics: footer.metrics,
      hash: '',
    };
  }

  abort(): void {
    this.ended = true;
  }
}

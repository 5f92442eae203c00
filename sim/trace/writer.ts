// Writes a trace (format v2, types.ts) as JSON Lines. Lines are buffered and handed to the sink in batches
// (every 256 lines or about 64 KiB), which measured about 2.4x faster than one write per line. Every byte
// written is also fed into a running SHA-256 (a batch at a time), so the footer can carry the hash of
// everything before it without a second pass. A crash loses at most the unflushed batch; the caller's error handler can call
// flush() first, and the reader accepts a trace without a footer as partial.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, statSync, writeSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkpointDelta, deltaApplies } from './checkpoint-delta.js';
import { footerHash } from './footer.js';
import {
  CHECKPOINT_KEYFRAME_EVERY,
  type TraceCheckpoint,
  type TraceEvent,
  type TraceFooter,
  type TraceHeader,
} from './types.js';

export interface TraceSink {
  write(chunk: string): void;
  close(): void;
}

/**
 * The trace file could not be written (no space, no permission, a directory in the way): an operating
 * error, not a simulator bug, so the CLI reports it as "cannot write X: reason" (issue 11 item 8).
 */
export class TraceSinkError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot write ${path}: ${reason}`);
    this.name = 'TraceSinkError';
  }
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Creates the missing parent folders of `path`, one level at a time. Node's `mkdirSync(..., {recursive})`
 * loops forever on some paths (a folder under /proc: issue 11 saw `export --out` spin for 10 minutes); this
 * walks up a bounded number of levels and fails with the first real error instead.
 */
export function makeParentDirs(path: string): void {
  const missing: string[] = [];
  let dir = dirname(resolve(path));
  for (let level = 0; level < 4096; level++) {
    let st: Stats;
    try {
      st = statSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(dir);
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
      continue;
    }
    if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
    break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}

/** A sink writing to a file (created, with its parent directories; truncated if it exists). */
export function fileSink(path: string): TraceSink {
  let fd: number | null;
  try {
    makeParentDirs(path);
    fd = openSync(path, 'w');
  } catch (err) {
    throw new TraceSinkError(path, reasonOf(err));
  }
  return {
    write(chunk) {
      if (fd === null) throw new Error(`fileSink(${path}): write after close`);
      const bytes = Buffer.from(chunk, 'utf8');
      try {
        // writeSync may write less than asked (e.g. on pipes); loop until the whole chunk is out.
        for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
      } catch (err) {
        throw new TraceSinkError(path, reasonOf(err));
      }
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** A sink that keeps nothing: the writer still hashes every line, so the footer and its hash are exact. */
export function nullSink(): TraceSink {
  return { write() {}, close() {} };
}

export interface MemorySink extends TraceSink {
  /** Everything written so far. */
  text(): string;
  /** Complete lines written so far (without their newlines). */
  readonly lines: string[];
  readonly closed: boolean;
}

/** A sink keeping the trace in memory (tests, determinism checks, the browser). */
export function memorySink(): MemorySink {
  const chunks: string[] = [];
  let closed = false;
  const text = () => chunks.join('');
  return {
    write(chunk) {
      if (closed) throw new Error('memorySink: write after close');
      chunks.push(chunk);
    },
    close() {
      closed = true;
    },
    text,
    get lines() {
      const all = text().split('\n');
      all.pop(); // the text after the last newline: '' for complete output
      return all;
    },
    get closed() {
      return closed;
    },
  };
}

export interface TraceWriterOptions {
  /** Flush after this many buffered lines (default 256). */
  flushLines?: number;
  /** Flush after about this many buffered characters (default 64 KiB). */
  flushChars?: number;
  /**
   * A full checkpoint every this many checkpoints, deltas between (default CHECKPOINT_KEYFRAME_EVERY);
   * 1 writes every checkpoint in full.
   */
  keyframeEvery?: number;
}

/** The footer as the caller gives it: the writer adds `hash`, and `counts` defaults to the writer's own. */
export type FooterInput = Omit<TraceFooter, 'kind' | 'hash' | 'counts'> & {
  kind?: 'footer';
  counts?: Record<string, number>;
};

type Stage = 'start' | 'body' | 'ended';

export class TraceWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly flushLines: number;
  private readonly flushChars: number;
  private buffer: string[] = [];
  private bufferedChars = 0;
  /** How many of the buffered lines are already in `hash` (currentHash and end hash ahead of a flush). */
  private hashedLines = 0;
  private stage: Stage = 'start';
  private readonly eventCounts = new Map<string, number>();
  private lastT = -Infinity;
  private lastSeq = -Infinity;
  private written = 0;
  private readonly keyframeEvery: number;
  /** The last checkpoint written (full state), the base of the next delta. */
  private lastCheckpoint: TraceCheckpoint | null = null;
  private deltasSinceKeyframe = 0;

  constructor(
    private readonly sink: TraceSink,
    options: TraceWriterOptions = {},
  ) {
    this.flushLines = options.flushLines ?? 256;
    this.flushChars = options.flushChars ?? 64 * 1024;
    this.keyframeEvery = options.keyframeEvery ?? CHECKPOINT_KEYFRAME_EVERY;
    if (!(this.flushLines >= 1) || !(this.flushChars >= 1)) {
      throw new Error('TraceWriter: flushLines and flushChars must be >= 1');
    }
    if (!Number.isSafeInteger(this.keyframeEvery) || this.keyframeEvery < 1)
      throw new Error(`TraceWriter: keyframeEvery must be a whole number >= 1, got ${this.keyframeEvery}`);
  }

  header(h: TraceHeader): void {
    if (this.stage !== 'start')
      throw new Error('TraceWriter.header: the header must be the first line, once');
    this.stage = 'body';
    this.line(JSON.stringify(h));
  }

  event(e: TraceEvent): void {
    this.requireBody('event');
    // Events are ordered by (t, seq): a step backwards is a simulator bug, so it crashes here.
    if (!(e.t > this.lastT || (e.t === this.lastT && e.seq > this.lastSeq))) {
      throw new Error(
        `TraceWriter.event: (t=${e.t}, seq=${e.seq}) does not follow (t=${this.lastT}, seq=${this.lastSeq})`,
      );
    }
    this.lastT = e.t;
    this.lastSeq = e.seq;
    this.eventCounts.set(e.type, (this.eventCounts.get(e.type) ?? 0) + 1);
    this.line(JSON.stringify(e));
  }

  /**
   * Writes the full cluster state `c` as a keyframe (the first checkpoint, then every keyframeEvery-th) or
   * as a `checkpoint-delta` against the previous checkpoint. The writer keeps `c` as that base: callers
   * hand over a fresh object and do not change it afterwards.
   */
  checkpoint(c: TraceCheckpoint): void {
    this.requireBody('checkpoint');
    if (c.t < this.lastT)
      throw new Error(`TraceWriter.checkpoint: t=${c.t} is before the last event (t=${this.lastT})`);
    const prev = this.lastCheckpoint;
    if (prev === null || this.deltasSinceKeyframe + 1 >= this.keyframeEvery || !deltaApplies(prev, c)) {
      this.line(JSON.stringify(c));
      this.deltasSinceKeyframe = 0;
    } else {
      this.line(JSON.stringify(checkpointDelta(prev, c)));
      this.deltasSinceKeyframe++;
    }
    this.lastCheckpoint = c;
  }

  /**
   * Writes a checkpoint line serialised by the caller: a run's incremental checkpoints
   * (sim/trace/checkpoint-incremental.ts), which keep their own base and keyframe policy. Do not mix with
   * `checkpoint` in one trace: each keeps its own base.
   */
  checkpointJson(t: number, json: string): void {
    this.requireBody('checkpoint');
    if (t < this.lastT)
      throw new Error(`TraceWriter.checkpointJson: t=${t} is before the last event (t=${this.lastT})`);
    this.line(json);
  }

  /** Events written so far per type, keys sorted. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key of [...this.eventCounts.keys()].sort()) out[key] = this.eventCounts.get(key) ?? 0;
    return out;
  }

  /** Lines written (header, events, checkpoints; the footer once ended). */
  get lineCount(): number {
    return this.written;
  }

  /** Hex SHA-256 over every line so far (the footer's hash also covers the footer itself). */
  currentHash(): string {
    this.hashBuffered();
    return this.hash.copy().digest('hex');
  }

  /** Hands buffered lines to the sink. Safe to call at any time, including from an error handler. */
  flush(): void {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    // Lines are hashed a batch at a time, as one string: the same bytes in the same order give the same
    // digest, for a fraction of the per-line update calls (issue 8: the traced path's cost).
    if (this.hashedLines === 0) this.hash.update(chunk, 'utf8');
    else this.hashBuffered();
    this.buffer = [];
    this.hashedLines = 0;
    this.bufferedChars = 0;
    this.sink.write(chunk);
  }

  /** Feeds the buffered lines not hashed yet into the running hash (before it is read). */
  private hashBuffered(): void {
    if (this.hashedLines === this.buffer.length) return;
    this.hash.update(this.buffer.slice(this.hashedLines).join(''), 'utf8');
    this.hashedLines = this.buffer.length;
  }

  /**
   * Writes the footer, flushes and closes the sink. Its hash covers everything before it and the footer
   * itself without the hash field (footer.ts), so the verdicts cannot be edited unnoticed.
   */
  end(footer: FooterInput): TraceFooter {
    this.requireBody('end');
    const body = {
      kind: 'footer' as const,
      t: footer.t,
      stop: footer.stop,
      counts: footer.counts ?? this.counts(),
      verdicts: footer.verdicts,
      metrics: footer.metrics,
    };
    this.hashBuffered();
    const full: TraceFooter = { ...body, hash: footerHash(this.hash, body) };
    this.line(JSON.stringify(full));
    this.stage = 'ended';
    this.flush();
    this.sink.close();
    return full;
  }

  /**
   * Ends a trace that cannot be finished (the run crashed): flushes what was written and closes the sink
   * without a footer. The reader then reports the trace as partial.
   */
  abort(): void {
    if (this.stage === 'ended') return;
    this.stage = 'ended';
    try {
      this.flush();
    } finally {
      this.sink.close();
    }
  }

  private requireBody(what: string): void {
    if (this.stage === 'start') throw new Error(`TraceWriter.${what}: write the header first`);
    if (this.stage === 'ended') throw new Error(`TraceWriter.${what}: the trace has ended`);
  }

  private line(json: string): void {
    const text = json + '\n';
    this.buffer.push(text);
    this.bufferedChars += text.length;
    this.written++;
    if (this.buffer.length >= this.flushLines || this.bufferedChars >= this.flushChars) this.flush();
  }
}

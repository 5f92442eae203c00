// Parses trace formats v1 and v2 (sim/trace/types.ts is the contract; only its types are imported) line by
// line and hands each line to a sink, so the model is built in the same pass without keeping the text's
// objects. A v2 `checkpoint-delta` line is resolved against the checkpoint before it (delta.ts) and reaches
// the sink as a full checkpoint. Input that is not a trace of a known version is a fatal ParseError; damage
// after a good header (a line cut off by a crash, a line that is not JSON, time going backwards, a delta
// that does not fit) stops the parse there and the trace is partial: the viewer shows what came before and
// says where it stopped and what it expected.
import type {
  TraceCheckpoint,
  TraceCheckpointDelta,
  TraceFooter,
  TraceHeader,
} from '../../../sim/trace/types.js';
import { resolveDelta } from './delta.js';
import type { AnyEvent } from './events.js';

/**
 * Mirrors TRACE_FORMAT, TRACE_VERSION and READABLE_TRACE_VERSIONS of types.ts; a test checks they agree
 * (values cannot be imported).
 */
export const FORMAT = 'upgradelab-trace';
export const VERSION = 2;
export const READABLE_VERSIONS: readonly number[] = [1, 2];

export interface ParseError {
  /** 1-based line number in the file; 0 when the file could not be read at all. */
  line: number;
  message: string;
  expected: string;
  /** The start of the offending line, for the message. */
  found: string;
}

export interface TraceSink {
  header(h: TraceHeader): void;
  event(e: AnyEvent): void;
  /**
   * An etcd.write line, read by the fast path (a 1,000,000-event trace is mostly these); without this
   * method the sink gets them as events.
   */
  write?(tMs: number, seq: number, ok: boolean, index: number | null): void;
  checkpoint(c: TraceCheckpoint): void;
  footer(f: TraceFooter): void;
}

export interface ParseOutcome {
  /** Set when the file is not a trace of a version this viewer reads: nothing was handed to the sink but (maybe) the header. */
  fatal: ParseError | null;
  /** True when the trace ends without a footer or stopped at a damaged line. */
  partial: boolean;
  /** Why the trace is partial (the damaged line, or the missing footer). */
  stoppedAt: ParseError | null;
  lines: number;
}

const EXPECT_HEADER = `a header line {"kind":"header","format":"${FORMAT}","version":${VERSION},...}`;
const EXPECT_LINE =
  'an event, checkpoint, checkpoint-delta or footer line: a JSON object with "kind" and a number "t"';

function excerpt(line: string): string {
  const s = line.trim();
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkHeader(line: string | undefined): TraceHeader | ParseError {
  const err = (message: string, expected = EXPECT_HEADER): ParseError => ({
    line: 1,
    message,
    expected,
    found: excerpt(line ?? ''),
  });
  if (line === undefined || line.trim() === '') return err('the file is empty');
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return err('this is not an upgradelab trace: the first line is not JSON');
  }
  if (!isObject(v)) return err('this is not an upgradelab trace: the first line is not a JSON object');
  if (v.format !== FORMAT) {
    return err(
      v.format === undefined
        ? 'this is not an upgradelab trace: the first line has no "format" field'
        : `this is not an upgradelab trace: format ${JSON.stringify(v.format)}`,
    );
  }
  if (typeof v.version !== 'number' || !READABLE_VERSIONS.includes(v.version)) {
    const newer = typeof v.version === 'number' && v.version > VERSION;
    return err(
      newer
        ? `trace version ${v.version} is newer than this viewer, which reads version ${VERSION}`
        : `unsupported trace version ${JSON.stringify(v.version)}`,
      `"version":${READABLE_VERSIONS.join(' or ')} (open it with the upgradelab release that wrote it)`,
    );
  }
  if (v.kind !== 'header')
    return err(`the first line must be the header, not kind ${JSON.stringify(v.kind)}`);
  if (!Array.isArray(v.nodes)) return err('the header has no "nodes" list');
  return v as unknown as TraceHeader;
}

const enc = new TextEncoder();
const WRITE_PREFIX = enc.encode('{"kind":"event","t":');
const SEQ = enc.encode(',"seq":');
const WRITE_TYPE = enc.encode(',"type":"etcd.write","id":');
const OK = enc.encode(',"ok":');
const TRUE = enc.encode('true');
const FALSE = enc.encode('false');
const INDEX = enc.encode(',"index":');
const ERROR = enc.encode(',"error":"');
const NEWLINE = 10;
const CLOSE = 125; // }
const QUOTE = 34;
const BACKSLASH = 92;

function matchAt(buf: Uint8Array, at: number, word: Uint8Array): boolean {
  if (at + word.length > buf.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[at + i] !== word[i]) return false;
  return true;
}

/** Scratch result of the fast path (no allocation per line). */
const fast = { t: 0, seq: 0, ok: false, index: -1, end: 0 };

/** Reads the non-negative integer at `at`; sets fast.end past it; -1 when there is no digit. */
function digits(buf: Uint8Array, at: number, end: number): number {
  let n = 0;
  let i = at;
  while (i < end) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    i++;
  }
  fast.end = i;
  return i === at || i - at > 15 ? -1 : n;
}

/**
 * Reads an etcd.write line as the simulator writes it (sim/trace/writer.ts key order: kind, t, seq, type,
 * id, ok, index or error) straight from the bytes, without decoding or JSON.parse. Anything else returns
 * false and the line takes the general path, so this changes only speed, never what is read.
 */
function fastWrite(buf: Uint8Array, s: number, e: number): boolean {
  if (buf[e - 1] !== CLOSE || !matchAt(buf, s, WRITE_PREFIX)) return false;
  let i = s + WRITE_PREFIX.length;
  fast.t = digits(buf, i, e);
  if (fast.t < 0 || !matchAt(buf, fast.end, SEQ)) return false;
  fast.seq = digits(buf, fast.end + SEQ.length, e);
  if (fast.seq < 0 || !matchAt(buf, fast.end, WRITE_TYPE)) return false;
  if (digits(buf, fast.end + WRITE_TYPE.length, e) < 0 || !matchAt(buf, fast.end, OK)) return false;
  i = fast.end + OK.length;
  if (matchAt(buf, i, TRUE)) {
    fast.ok = true;
    i += TRUE.length;
  } else if (matchAt(buf, i, FALSE)) {
    fast.ok = false;
    i += FALSE.length;
  } else return false;
  fast.index = -1;
  if (matchAt(buf, i, INDEX)) {
    fast.index = digits(buf, i + INDEX.length, e);
    if (fast.index < 0) return false;
    i = fast.end;
  }
  if (matchAt(buf, i, ERROR)) {
    // A plain error string (no escapes) up to the closing quote, then the brace.
    i += ERROR.length;
    while (i < e - 2 && buf[i] !== QUOTE && buf[i] !== BACKSLASH) i++;
    if (buf[i] !== QUOTE) return false;
    i++;
  }
  return i === e - 1;
}

/**
 * A streaming parser over bytes: push chunks as they arrive (fetch or File streams), then end(). Lines are
 * cut from the bytes and decoded only when they are not etcd.write lines, so a 100 MB trace is never one
 * string and parsing overlaps with reading.
 */
export class TraceParser {
  private rest: Uint8Array | null = null;
  private lineNo = 0;
  private headerSeen = false;
  private lastT = 0;
  private lastSeq = -1;
  private footer = false;
  private version = VERSION;
  /** The last checkpoint as a full state: what the next checkpoint-delta line applies to. */
  private lastCheckpoint: TraceCheckpoint | null = null;
  private result: ParseOutcome | null = null;
  private readonly decoder = new TextDecoder();

  constructor(private readonly sink: TraceSink) {}

  /** True once the parse has stopped (fatal error or damaged line); later input is ignored. */
  get stopped(): boolean {
    return this.result !== null;
  }

  push(chunk: Uint8Array): void {
    if (this.result) return;
    const buf = chunk;
    let pos = 0;
    if (this.rest) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) {
        const joined = new Uint8Array(this.rest.length + chunk.length);
        joined.set(this.rest);
        joined.set(chunk, this.rest.length);
        this.rest = joined;
        return;
      }
      const line = new Uint8Array(this.rest.length + nl);
      line.set(this.rest);
      line.set(chunk.subarray(0, nl), this.rest.length);
      this.rest = null;
      this.line(line, 0, line.length, false);
      pos = nl + 1;
    }
    while (pos < buf.length && !this.result) {
      const nl = buf.indexOf(NEWLINE, pos);
      if (nl === -1) {
        this.rest = buf.slice(pos);
        return;
      }
      this.line(buf, pos, nl, false);
      pos = nl + 1;
    }
  }

  end(): ParseOutcome {
    if (!this.result && this.rest && this.rest.length > 0) {
      const r = this.rest;
      this.rest = null;
      this.line(r, 0, r.length, true);
    }
    if (this.result) return this.result;
    if (!this.headerSeen) {
      const h = checkHeader(undefined);
      return { fatal: h as ParseError, partial: true, stoppedAt: null, lines: this.lineNo };
    }
    if (!this.footer) {
      return {
        fatal: null,
        partial: true,
        stoppedAt: {
          line: this.lineNo,
          message:
            'the trace has no footer: the run did not finish writing it (it crashed or is still running)',
          expected: 'a footer line {"kind":"footer",...} at the end',
          found: '(end of file)',
        },
        lines: this.lineNo,
      };
    }
    return { fatal: null, partial: false, stoppedAt: null, lines: this.lineNo };
  }

  private stop(message: string, line: string, expected = EXPECT_LINE): void {
    this.result = {
      fatal: null,
      partial: true,
      stoppedAt: { line: this.lineNo, message, expected, found: excerpt(line) },
      lines: this.lineNo,
    };
  }

  /** One line, bytes [s, e) of buf; `last` when it is the end of the input without a newline. */
  private line(buf: Uint8Array, s: number, e: number, last: boolean): void {
    this.lineNo++;
    if (!this.headerSeen) {
      const header = checkHeader(this.decoder.decode(buf.subarray(s, e)));
      if ('message' in header) {
        this.result = { fatal: header, partial: true, stoppedAt: null, lines: this.lineNo };
        return;
      }
      this.headerSeen = true;
      this.version = header.version;
      this.sink.header(header);
      return;
    }
    if (e === s) return;
    if (this.sink.write && !this.footer && fastWrite(buf, s, e) && fast.t >= this.lastT) {
      this.lastT = fast.t;
      this.lastSeq = fast.seq;
      this.sink.write(fast.t, fast.seq, fast.ok, fast.index < 0 ? null : fast.index);
      return;
    }
    const line = this.decoder.decode(buf.subarray(s, e));
    if (line.trim() === '') return;
    if (this.footer) return this.stop('there is a line after the footer', line, 'nothing after the footer');
    let v: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (!isObject(parsed)) return this.stop('the line is not a JSON object', line);
      v = parsed;
    } catch {
      return this.stop(
        last
          ? 'the trace is cut off in the middle of this line (the run crashed or the file is incomplete)'
          : 'the line is not JSON',
        line,
      );
    }
    const t = v.t;
    if (typeof t !== 'number' || !Number.isFinite(t)) return this.stop('the line has no number "t"', line);
    if (t < this.lastT)
      return this.stop(
        `time goes backwards (t=${t} ms after t=${this.lastT} ms)`,
        line,
        `t >= ${this.lastT}`,
      );
    this.lastT = t;
    switch (v.kind) {
      case 'event': {
        if (typeof v.type !== 'string') return this.stop('the event has no "type"', line);
        this.lastSeq = typeof v.seq === 'number' ? v.seq : this.lastSeq + 1;
        this.sink.event(v as unknown as AnyEvent);
        break;
      }
      case 'checkpoint':
        if (!Array.isArray(v.nodes) || !isObject(v.etcd))
          return this.stop('the checkpoint has no nodes or etcd', line);
        this.lastCheckpoint = v as unknown as TraceCheckpoint;
        this.sink.checkpoint(this.lastCheckpoint);
        break;
      case 'checkpoint-delta': {
        const expected = 'a checkpoint-delta line based on the checkpoint before it (trace version 2)';
        if (this.version < 2)
          return this.stop(`a checkpoint-delta line in a version ${this.version} trace`, line, expected);
        if (!Array.isArray(v.nodes) || typeof v.base !== 'number')
          return this.stop('the checkpoint-delta has no nodes or base', line, expected);
        if (this.lastCheckpoint === null)
          return this.stop('a checkpoint-delta line before any full checkpoint', line, expected);
        const full = resolveDelta(this.lastCheckpoint, v as unknown as TraceCheckpointDelta);
        if (typeof full === 'string')
          return this.stop(`the checkpoint-delta does not fit: ${full}`, line, expected);
        this.lastCheckpoint = full;
        this.sink.checkpoint(full);
        break;
      }
      case 'footer':
        this.footer = true;
        this.sink.footer(v as unknown as TraceFooter);
        break;
      default:
        return this.stop(`unknown line kind ${JSON.stringify(v.kind)}`, line);
    }
  }
}

/** Parses a whole text (tests, small files). */
export function parseTrace(text: string, sink: TraceSink): ParseOutcome {
  const p = new TraceParser(sink);
  p.push(enc.encode(text));
  return p.end();
}

/** One-paragraph message for the page. */
export function describeError(file: string, e: ParseError): string {
  const where = e.line > 0 ? `${file}, line ${e.line}` : file;
  return `${where}: ${e.message}. Expected ${e.expected}; found: ${e.found === '' ? '(nothing)' : e.found}`;
}

// Parses trace format v1 (sim/trace/types.ts is the contract; only its types are imported) line by line and
// hands each line to a sink, so the model is built in the same pass without keeping the text's objects.
// Input that is not a v1 trace at all is a fatal ParseError; damage after a good header (a line cut off by a
// crash, a line that is not JSON, time going backwards) stops the parse there and the trace is partial:
// the viewer shows what came before and says where it stopped and what it expected.
import type { TraceCheckpoint, TraceFooter, TraceHeader } from '../../../sim/trace/types.js';
import type { AnyEvent } from './events.js';

/** Mirrors TRACE_FORMAT / TRACE_VERSION of types.ts; a test checks they agree (values cannot be imported). */
export const FORMAT = 'upgradelab-trace';
export const VERSION = 1;

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
  /** Set when the file is not a v1 trace: nothing was handed to the sink but (maybe) the header. */
  fatal: ParseError | null;
  /** True when the trace ends without a footer or stopped at a damaged line. */
  partial: boolean;
  /** Why the trace is partial (the damaged line, or the missing footer). */
  stoppedAt: ParseError | null;
  lines: number;
}

const EXPECT_HEADER = `a header line {"kind":"header","format":"${FORMAT}","version":${VERSION},...}`;
const EXPECT_LINE = 'an event, checkpoint or footer line: a JSON object with "kind" and a number "t"';

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
  if (typeof v.version !== 'number' || v.version !== VERSION) {
    const newer = typeof v.version === 'number' && v.version > VERSION;
    return err(
      newer
        ? `trace version ${v.version} is newer than this viewer, which reads version ${VERSION}`
        : `unsupported trace version ${JSON.stringify(v.version)}`,
      `"version":${VERSION} (open it with the upgradelab release that wrote it)`,
    );
  }
  if (v.kind !== 'header')
    return err(`the first line must be the header, not kind ${JSON.stringify(v.kind)}`);
  if (!Array.isArray(v.nodes)) return err('the header has no "nodes" list');
  return v as unknown as TraceHeader;
}

const WRITE_PREFIX = '{"kind":"event","t":';
const WRITE_TYPE = ',"type":"etcd.write",';

/**
 * Reads an etcd.write line as the simulator writes it (sim/trace/writer.ts key order) without JSON.parse;
 * anything unexpected returns null and the line takes the general path, so this changes speed only.
 */
function fastWrite(line: string): { t: number; seq: number; ok: boolean; index: number | null } | null {
  if (!line.startsWith(WRITE_PREFIX) || line.charCodeAt(line.length - 1) !== 125 /* } */) return null;
  const typeAt = line.indexOf(WRITE_TYPE, WRITE_PREFIX.length);
  if (typeAt === -1) return null;
  const seqAt = line.indexOf(',"seq":', WRITE_PREFIX.length);
  if (seqAt === -1 || seqAt > typeAt) return null;
  const t = Number(line.slice(WRITE_PREFIX.length, seqAt));
  const seq = Number(line.slice(seqAt + 7, typeAt));
  const ok = line.includes('"ok":true', typeAt) ? true : line.includes('"ok":false', typeAt) ? false : null;
  if (!Number.isFinite(t) || !Number.isFinite(seq) || ok === null) return null;
  let index: number | null = null;
  const indexAt = line.indexOf('"index":', typeAt);
  if (indexAt !== -1) {
    let end = indexAt + 8;
    while (end < line.length && line.charCodeAt(end) >= 48 && line.charCodeAt(end) <= 57) end++;
    index = Number(line.slice(indexAt + 8, end));
    if (!Number.isFinite(index) || end === indexAt + 8) return null;
  }
  return { t, seq, ok, index };
}

/**
 * Parses `text` and feeds the sink. Lines are split by hand (not text.split) so a 100 MB trace does not
 * allocate an array of a million strings up front.
 */
export function parseTrace(text: string, sink: TraceSink): ParseOutcome {
  let pos = 0;
  let lineNo = 0;
  const nextLine = (): string | undefined => {
    if (pos >= text.length) return undefined;
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    const line = text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    return line;
  };
  const first = nextLine();
  const header = checkHeader(first);
  if ('message' in header) return { fatal: header, partial: true, stoppedAt: null, lines: lineNo };
  sink.header(header);

  let lastT = 0;
  let lastSeq = -1;
  let footer = false;
  const stop = (message: string, line: string, expected = EXPECT_LINE): ParseOutcome => ({
    fatal: null,
    partial: true,
    stoppedAt: { line: lineNo, message, expected, found: excerpt(line) },
    lines: lineNo,
  });
  for (let line = nextLine(); line !== undefined; line = nextLine()) {
    if (line === '') continue;
    if (footer) return stop('there is a line after the footer', line, 'nothing after the footer');
    if (sink.write) {
      const w = fastWrite(line);
      if (w && w.t >= lastT) {
        lastT = w.t;
        lastSeq = w.seq;
        sink.write(w.t, w.seq, w.ok, w.index);
        continue;
      }
    }
    let v: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (!isObject(parsed)) return stop('the line is not a JSON object', line);
      v = parsed;
    } catch {
      const cut = pos >= text.length && !text.endsWith('\n');
      return stop(
        cut
          ? 'the trace is cut off in the middle of this line (the run crashed or the file is incomplete)'
          : 'the line is not JSON',
        line,
      );
    }
    const t = v.t;
    if (typeof t !== 'number' || !Number.isFinite(t)) return stop('the line has no number "t"', line);
    if (t < lastT) return stop(`time goes backwards (t=${t} ms after t=${lastT} ms)`, line, `t >= ${lastT}`);
    lastT = t;
    switch (v.kind) {
      case 'event': {
        if (typeof v.type !== 'string') return stop('the event has no "type"', line);
        const seq = typeof v.seq === 'number' ? v.seq : lastSeq + 1;
        lastSeq = seq;
        sink.event(v as unknown as AnyEvent);
        break;
      }
      case 'checkpoint':
        if (!Array.isArray(v.nodes) || !isObject(v.etcd))
          return stop('the checkpoint has no nodes or etcd', line);
        sink.checkpoint(v as unknown as TraceCheckpoint);
        break;
      case 'footer':
        footer = true;
        sink.footer(v as unknown as TraceFooter);
        break;
      default:
        return stop(`unknown line kind ${JSON.stringify(v.kind)}`, line);
    }
  }
  if (!footer) {
    return {
      fatal: null,
      partial: true,
      stoppedAt: {
        line: lineNo,
        message:
          'the trace has no footer: the run did not finish writing it (it crashed or is still running)',
        expected: 'a footer line {"kind":"footer",...} at the end',
        found: '(end of file)',
      },
      lines: lineNo,
    };
  }
  return { fatal: null, partial: false, stoppedAt: null, lines: lineNo };
}

/** One-paragraph message for the page. */
export function describeError(file: string, e: ParseError): string {
  const where = e.line > 0 ? `${file}, line ${e.line}` : file;
  return `${where}: ${e.message}. Expected ${e.expected}; found: ${e.found === '' ? '(nothing)' : e.found}`;
}

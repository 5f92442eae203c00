// Reads a trace (format v1 or v2, types.ts) back: checks its structure, recomputes the footer hash, and
// tolerates the one kind of damage a crash leaves behind, a trace cut off mid-line without a footer.
// Problems that do not stop the trace from being used are collected as strings; only input that is not a
// trace of a version this reader knows throws a TraceError. Delta checkpoints (v2) are resolved against the
// checkpoint before them, so `checkpoints` always holds full states, whichever version was read.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { applyCheckpointDelta } from './checkpoint-delta.js';
import { isTraceEventType } from './fields.js';
import { footerHash, footerShapeProblems } from './footer.js';
import {
  READABLE_TRACE_VERSIONS,
  TRACE_FORMAT,
  type TraceCheckpoint,
  type TraceCheckpointDelta,
  type TraceEvent,
  type TraceFooter,
  type TraceHeader,
} from './types.js';

export { TRACE_EVENT_TYPES } from './fields.js';

export class TraceError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${problem}` : `${file}: ${problem}`);
    this.name = 'TraceError';
  }
}

export interface TraceFile {
  header: TraceHeader;
  events: TraceEvent[];
  checkpoints: TraceCheckpoint[];
  footer: TraceFooter | null;
  /** True when the trace has no footer (the run did not finish writing it) or its last line was cut off. */
  partial: boolean;
  /** Whether the footer's hash matches the content; null without a footer. */
  hashOk: boolean | null;
  /** Non-fatal problems, each as `FILE:LINE: message`. */
  problems: string[];
}

/**
 * Reads a trace from its text, or from a file when `input` does not look like trace text (trace text always
 * starts with '{', a path never does). `name` is used in messages (default: the path, or '<trace>').
 */
export function readTrace(input: string, name?: string): TraceFile {
  return /^\s*\{/.test(input) || input.trim() === ''
    ? readTraceText(input, name ?? '<trace>')
    : readTraceFile(input, name);
}

/**
 * The largest trace this reader takes: the whole text is one string, and V8 strings stop at ~512 MiB.
 * Traces are bounded well below it (sim/scenario/limits.ts: events and checkpoints per run).
 */
export const MAX_TRACE_BYTES = 500 * 1024 * 1024;

export function readTraceFile(path: string, name: string = path): TraceFile {
  let text: string;
  try {
    // stat() first: a device (/dev/zero), a FIFO or a directory fails at once instead of blocking or
    // streaming forever.
    const st = statSync(path);
    if (!st.isFile()) throw new TraceError(name, 0, 'cannot read trace: not a regular file');
    if (st.size > MAX_TRACE_BYTES)
      throw new TraceError(
        name,
        0,
        `cannot read trace: ${st.size} bytes is over the ${MAX_TRACE_BYTES}-byte limit`,
      );
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof TraceError) throw err;
    throw new TraceError(name, 0, `cannot read trace: ${err instanceof Error ? err.message : String(err)}`);
  }
  return readTraceText(text, name);
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseHeader(line: string | undefined, file: string): TraceHeader {
  if (line === undefined || line.trim() === '') throw new TraceError(file, 1, 'empty trace');
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    throw new TraceError(file, 1, `not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isObject(v) || v.format === undefined)
    throw new TraceError(file, 1, 'not an upgradelab trace (format field missing)');
  if (v.format !== TRACE_FORMAT) {
    throw new TraceError(file, 1, `not an upgradelab trace (format ${JSON.stringify(v.format)})`);
  }
  if (!(READABLE_TRACE_VERSIONS as readonly unknown[]).includes(v.version)) {
    throw new TraceError(
      file,
      1,
      `unsupported trace version ${JSON.stringify(v.version)} (this reader reads ${READABLE_TRACE_VERSIONS.join(' and ')})`,
    );
  }
  if (v.kind !== 'header')
    throw new TraceError(file, 1, `the first line must be the header (kind ${JSON.stringify(v.kind)})`);
  if (!Array.isArray(v.nodes)) throw new TraceError(file, 1, 'header has no node list');
  return v as unknown as TraceHeader;
}

export function readTraceText(text: string, file = '<trace>'): TraceFile {
  const lines = text.split('\n');
  // Output always ends with a newline, so the piece after the last one is '' unless the writer was cut off.
  const tail = lines.pop() ?? '';
  const header = parseHeader(lines.length > 0 ? lines[0] : tail, file);

  const problems: string[] = [];
  const problem = (line: number, message: string) => problems.push(`${file}:${line}: ${message}`);
  const events: TraceEvent[] = [];
  const checkpoints: TraceCheckpoint[] = [];
  let footer: TraceFooter | null = null;
  let footerLine = 0;
  let truncated = false;

  if (tail !== '') {
    try {
      JSON.parse(tail);
      lines.push(tail); // A complete last line that merely lacks its newline.
      if (lines.length > 1) problem(lines.length, 'the last line has no newline');
    } catch {
      truncated = true;
      problem(lines.length + 1, 'the last line is cut off (the run stopped mid-write); ignored');
    }
  }
  const hash = createHash('sha256');
  const counts = new Map<string, number>();
  let lastT = -Infinity;
  let lastSeq = -Infinity;
  // The full state of the last checkpoint line, the base of the next delta; null after a delta that could
  // not be resolved, so every delta up to the next keyframe is reported instead of being resolved wrongly.
  let base: TraceCheckpoint | null = null;

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = i + 1;
    let v: unknown = null;
    if (i > 0 && raw.trim() !== '') {
      try {
        v = JSON.parse(raw);
      } catch (err) {
        throw new TraceError(file, lineNo, `not JSON (${err instanceof Error ? err.message : String(err)})`);
      }
    }
    // The footer's hash covers every line before the footer, exactly as written, then the footer (footer.ts).
    if (footer === null && !(isObject(v) && v.kind === 'footer')) hash.update(raw + '\n', 'utf8');
    if (i === 0) continue;
    if (raw.trim() === '') {
      problem(lineNo, 'empty line');
      continue;
    }
    if (!isObject(v)) {
      problem(lineNo, 'not a JSON object; ignored');
      continue;
    }
    if (footer !== null && v.kind !== 'footer') problem(lineNo, `line after the footer (line ${footerLine})`);
    switch (v.kind) {
      case 'header':
        problem(lineNo, 'a second header; ignored');
        break;
      case 'event': {
        const { t, seq, type } = v;
        if (
          typeof t !== 'number' ||
          typeof seq !== 'number' ||
          !Number.isFinite(t) ||
          !Number.isFinite(seq)
        ) {
          problem(lineNo, 'event without numeric t and seq; ignored');
          break;
        }
        if (!isTraceEventType(type)) {
          problem(lineNo, `unknown event type ${JSON.stringify(type)}; ignored`);
          break;
        }
        if (!(t > lastT || (t === lastT && seq > lastSeq))) {
          problem(lineNo, `event (t=${t}, seq=${seq}) does not follow (t=${lastT}, seq=${lastSeq})`);
        }
        // Follow the event even when it is out of order, so one misplaced event is not blamed on all the rest.
        lastT = t;
        lastSeq = seq;
        counts.set(type, (counts.get(type) ?? 0) + 1);
        events.push(v as unknown as TraceEvent);
        break;
      }
      case 'checkpoint':
        if (typeof v.t !== 'number' || !Array.isArray(v.nodes)) {
          problem(lineNo, 'checkpoint without numeric t or node list; ignored');
          break;
        }
        if (v.t < lastT) problem(lineNo, `checkpoint at t=${v.t} comes after an event at t=${lastT}`);
        base = v as unknown as TraceCheckpoint;
        checkpoints.push(base);
        break;
      case 'checkpoint-delta': {
        if (header.version < 2) {
          problem(lineNo, `a checkpoint-delta line in a version ${header.version} trace; ignored`);
          break;
        }
        if (typeof v.t !== 'number' || typeof v.base !== 'number' || !Array.isArray(v.nodes)) {
          problem(lineNo, 'checkpoint-delta without numeric t and base or node list; ignored');
          break;
        }
        if (v.t < lastT) problem(lineNo, `checkpoint at t=${v.t} comes after an event at t=${lastT}`);
        const full: TraceCheckpoint | string =
          base === null
            ? 'there is no resolved checkpoint before it'
            : applyCheckpointDelta(base, v as unknown as TraceCheckpointDelta);
        if (typeof full === 'string') {
          problem(lineNo, `checkpoint-delta cannot be resolved (${full}); ignored`);
          base = null;
          break;
        }
        base = full;
        checkpoints.push(full);
        break;
      }
      case 'footer':
        if (footer !== null) {
          problem(lineNo, `a second footer (the first is on line ${footerLine}); ignored`);
          break;
        }
        for (const p of footerShapeProblems(v)) problem(lineNo, p);
        footer = v as unknown as TraceFooter;
        footerLine = lineNo;
        break;
      default:
        problem(lineNo, `unknown line kind ${JSON.stringify(v.kind)}; ignored`);
    }
  }

  let hashOk: boolean | null = null;
  if (footer !== null) {
    const f: TraceFooter = footer;
    const digest = footerHash(hash, f as unknown as Json);
    hashOk = f.hash === digest;
    if (!hashOk && typeof f.hash === 'string') {
      problem(
        footerLine,
        `hash mismatch: the footer says ${String(f.hash)}, the content hashes to ${digest} (edited or corrupted)`,
      );
    }
    if (isObject(f.counts)) {
      for (const type of new Set([...Object.keys(f.counts), ...counts.keys()])) {
        const said = f.counts[type] ?? 0;
        const seen = counts.get(type) ?? 0;
        if (said !== seen)
          problem(footerLine, `footer counts ${said} '${type}' events, the trace has ${seen}`);
      }
    }
  }
  return { header, events, checkpoints, footer, partial: footer === null || truncated, hashOk, problems };
}

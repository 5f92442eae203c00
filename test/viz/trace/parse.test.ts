// Parsing traces (v1 and v2) in the viewer: good traces, and the messages for bad input (which line, what was
// expected, what was found), including the partial trace a crashed run leaves behind.
import { describe, expect, it } from 'vitest';
import { READABLE_TRACE_VERSIONS, TRACE_FORMAT, TRACE_VERSION } from '../../../sim/trace/types.js';
import { buildModel } from '../../../viz/src/model/build.js';
import {
  describeError,
  FORMAT,
  parseTrace,
  READABLE_VERSIONS,
  VERSION,
  type TraceSink,
} from '../../../viz/src/trace/parse.js';
import type { AnyEvent } from '../../../viz/src/trace/events.js';
import { fixtureTrace, WITH_VIOLATION } from '../fixtures.js';

function collect(text: string) {
  const events: AnyEvent[] = [];
  const writes: number[] = [];
  let checkpoints = 0;
  let footers = 0;
  const sink: TraceSink = {
    header: () => {},
    event: (e) => events.push(e),
    checkpoint: () => checkpoints++,
    footer: () => footers++,
    write: (t) => writes.push(t),
  };
  return {
    outcome: parseTrace(text, sink),
    events,
    writes,
    checkpoints: () => checkpoints,
    footers: () => footers,
  };
}

const header = JSON.stringify({
  kind: 'header',
  format: 'upgradelab-trace',
  version: 1,
  scenario: 's',
  file: 's.yaml',
  seed: 1,
  codeVersion: 't',
  deterministic: true,
  nodes: [{ name: 'cp1', role: 'controlplane', attached: false }],
  profile: 'talos-1.8',
  bootloader: 'talos',
  durationMs: 10_000,
  faultsUntilMs: 5_000,
});
const ev = (t: number, seq: number, body: Record<string, unknown>) =>
  JSON.stringify({ kind: 'event', t, seq, ...body });
const footer = JSON.stringify({
  kind: 'footer',
  t: 10_000,
  stop: 'time-bound',
  counts: {},
  verdicts: [],
  metrics: {},
  hash: 'x',
});

describe('parseTrace', () => {
  it('agrees with the contract on format name and version (values cannot be imported into viz/)', () => {
    expect(FORMAT).toBe(TRACE_FORMAT);
    expect(VERSION).toBe(TRACE_VERSION);
    expect(READABLE_VERSIONS).toEqual(READABLE_TRACE_VERSIONS);
  });

  it('reads a whole simulator trace: every line, writes by the fast path, not partial', () => {
    const text = fixtureTrace(WITH_VIOLATION, 'each');
    const lines = text.split('\n').filter((l) => l !== '');
    const r = collect(text);
    expect(r.outcome).toMatchObject({ fatal: null, partial: false, stoppedAt: null });
    const writeLines = lines.filter((l) => l.includes('"type":"etcd.write"')).length;
    expect(writeLines).toBeGreaterThan(1000);
    expect(r.writes).toHaveLength(writeLines);
    expect(r.events.length + r.writes.length).toBe(lines.filter((l) => l.includes('"kind":"event"')).length);
    expect(r.footers()).toBe(1);
  });

  it('the fast path reads writes exactly as JSON.parse does (ok, failed, commit index)', () => {
    const text = fixtureTrace(WITH_VIOLATION, 'each');
    const fast = buildModel(text, 'fast');
    // Without the fast path (a sink with no write method) every write line goes through JSON.parse.
    const slowWrites: { t: number; ok: boolean; index: number | null }[] = [];
    parseTrace(text, {
      header: () => {},
      checkpoint: () => {},
      footer: () => {},
      event: (e) => {
        if (e.type === 'etcd.write') {
          const w = e as Extract<AnyEvent, { type: 'etcd.write' }>;
          slowWrites.push({ t: w.t, ok: w.ok, index: w.index ?? null });
        }
      },
    });
    if (!fast.ok) throw new Error('fixture did not parse');
    const w = fast.model.writes;
    expect(w.n).toBe(slowWrites.length);
    expect(w.failedCum[w.n - 1]).toBe(slowWrites.filter((s) => !s.ok).length);
    expect(w.failedCum[w.n - 1]).toBeGreaterThan(0);
    expect(w.okCum[w.n - 1]).toBe(slowWrites.filter((s) => s.ok).length);
    expect(w.indexMax[w.n - 1]).toBe(Math.max(...slowWrites.map((s) => s.index ?? 0)));
    expect([...w.tMs]).toEqual(slowWrites.map((s) => s.t));
  });

  it('reads batched etcd.commit lines as the same writes as per-write lines (acknowledged, failed, index)', () => {
    const each = buildModel(fixtureTrace(WITH_VIOLATION, 'each'), 'each');
    const batch = buildModel(fixtureTrace(WITH_VIOLATION, 'batch'), 'batch');
    if (!each.ok || !batch.ok) throw new Error('fixture did not parse');
    const a = each.model.writes;
    const b = batch.model.writes;
    expect(b.n).toBeLessThan(a.n / 10);
    expect(b.failedCum[b.n - 1]).toBeGreaterThan(0);
    expect(b.failedCum[b.n - 1]).toBe(a.failedCum[a.n - 1]);
    expect(b.okCum[b.n - 1]).toBe(a.okCum[a.n - 1]);
    expect(b.indexMax[b.n - 1]).toBe(a.indexMax[a.n - 1]);
  });

  it('renders unknown event types generically instead of failing', () => {
    const text = [header, ev(1, 0, { type: 'etcd.snapshot', node: 'cp1', size: 3 }), footer, ''].join('\n');
    const r = buildModel(text, 't.jsonl');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.model.counts['etcd.snapshot']).toBe(1);
      expect(r.model.events.map((e) => e.type)).toEqual(['etcd.snapshot']);
    }
  });
});

describe('bad input: clear messages', () => {
  const fatal = (text: string) => {
    const r = buildModel(text, 'bad.jsonl');
    if (r.ok) throw new Error('expected a fatal error');
    return describeError('bad.jsonl', r.error);
  };

  it('an empty file', () => {
    expect(fatal('')).toBe(
      'bad.jsonl, line 1: the file is empty. Expected a header line {"kind":"header","format":"upgradelab-trace","version":2,...}; found: (nothing)',
    );
  });

  it('a file that is not JSON (a scenario YAML opened by mistake)', () => {
    expect(fatal('name: x\nseed: 1\n')).toBe(
      'bad.jsonl, line 1: this is not an upgradelab trace: the first line is not JSON. Expected a header line {"kind":"header","format":"upgradelab-trace","version":2,...}; found: name: x',
    );
  });

  it('JSON that is not a trace (a Chrome trace export)', () => {
    expect(fatal('{"traceEvents":[],"displayTimeUnit":"ms"}\n')).toMatch(
      /^bad\.jsonl, line 1: this is not an upgradelab trace: the first line has no "format" field\. Expected a header line/,
    );
  });

  it('a newer trace version says so and what this viewer reads', () => {
    expect(fatal(header.replace('"version":1', '"version":3') + '\n')).toBe(
      `bad.jsonl, line 1: trace version 3 is newer than this viewer, which reads version 2. Expected "version":1 or 2 (open it with the upgradelab release that wrote it); found: ${header.replace('"version":1', '"version":3').slice(0, 77)}...`,
    );
  });

  it('a trace cut off mid-line is partial: what came before is kept, the line is named', () => {
    const good = [
      header,
      ev(1, 0, { type: 'phase', phase: 'safety' }),
      ev(2, 1, { type: 'phase', phase: 'liveness' }),
    ];
    const text = `${good.join('\n')}\n{"kind":"event","t":3,"seq":2,"type":"node.st`;
    const r = buildModel(text, 'cut.jsonl');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.model.partial).toBe(true);
    expect(r.model.events).toHaveLength(2);
    expect(r.model.endMs).toBe(2);
    expect(describeError('cut.jsonl', r.model.stoppedAt!)).toBe(
      'cut.jsonl, line 4: the trace is cut off in the middle of this line (the run crashed or the file is incomplete). Expected an event, checkpoint, checkpoint-delta or footer line: a JSON object with "kind" and a number "t"; found: {"kind":"event","t":3,"seq":2,"type":"node.st',
    );
  });

  it('a trace without a footer is partial and says the run did not finish', () => {
    const r = buildModel([header, ev(1, 0, { type: 'phase', phase: 'safety' }), ''].join('\n'), 'p.jsonl');
    expect(r.ok && r.model.partial).toBe(true);
    if (r.ok) expect(r.model.stoppedAt?.message).toMatch(/no footer: the run did not finish/);
  });

  it('time going backwards stops the trace there', () => {
    const r = buildModel(
      [
        header,
        ev(5, 0, { type: 'phase', phase: 'safety' }),
        ev(4, 1, { type: 'phase', phase: 'liveness' }),
        footer,
        '',
      ].join('\n'),
      'b.jsonl',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.model.stoppedAt).toMatchObject({
      line: 3,
      message: 'time goes backwards (t=4 ms after t=5 ms)',
    });
    expect(r.model.events).toHaveLength(1);
  });
});

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrace, readTraceText, TraceError } from '../../../sim/trace/reader.js';
import type { TraceEvent, TraceEventBody, TraceHeader } from '../../../sim/trace/types.js';
import { fileSink, memorySink, TraceWriter, type TraceSink } from '../../../sim/trace/writer.js';

const HEADER: TraceHeader = {
  kind: 'header',
  format: 'upgradelab-trace',
  version: 1,
  scenario: 'unit',
  file: 'scenarios/unit.yaml',
  seed: 42,
  codeVersion: 'test',
  deterministic: true,
  nodes: [
    { name: 'cp1', role: 'controlplane', attached: false },
    { name: 'w1', role: 'worker', attached: false },
  ],
  profile: 'talos-1.8',
  bootloader: 'talos',
  durationMs: 60_000,
  faultsUntilMs: 40_000,
};

const BODIES: [number, TraceEventBody][] = [
  [0, { type: 'node.state', node: 'cp1', state: 'running', version: 'v1.7.6', slot: 'A' }],
  [0, { type: 'node.state', node: 'w1', state: 'running', version: 'v1.7.6', slot: 'A' }],
  [1000, { type: 'fault.start', fault: 'powerLoss', id: 1, node: 'w1', detail: 'for 5s' }],
  [1000, { type: 'node.state', node: 'w1', state: 'off', version: null, slot: null }],
  [2000, { type: 'etcd.leader', leader: 'cp1', term: 2 }],
  [6000, { type: 'fault.end', fault: 'powerLoss', id: 1, node: 'w1', detail: 'power back' }],
  [6000, { type: 'node.state', node: 'w1', state: 'firmware', version: null, slot: null }],
  [9000, { type: 'violation', invariant: 'quorum', nodes: ['cp1'], message: 'no quorum', liveness: false }],
];

function events(): TraceEvent[] {
  return BODIES.map(([t, body], seq) => ({ kind: 'event', t, seq, ...body }) as TraceEvent);
}

const METRICS = {
  simulatedMs: 10_000,
  events: BODIES.length,
  upgradeDurationMs: null,
  timeWithoutQuorumMs: 0,
  writesAttempted: 0,
  writesAcknowledged: 0,
  writesLost: 0,
  nodesOnTarget: 0,
};

/** Writes a complete small trace; `sink` lets tests observe the batches. */
function writeTrace(sink: TraceSink, options = {}): TraceWriter {
  const w = new TraceWriter(sink, options);
  w.header(HEADER);
  const evs = events();
  evs.slice(0, 5).forEach((e) => w.event(e));
  w.checkpoint({
    kind: 'checkpoint',
    t: 5000,
    seq: 5,
    nodes: [],
    etcd: { leader: 'cp1', term: 2, commitIndex: 3, voters: 1, learners: 0 },
    activeFaults: [1],
    partitions: [],
  });
  evs.slice(5).forEach((e) => w.event(e));
  w.end({ kind: 'footer', t: 10_000, stop: 'duration', verdicts: [], metrics: METRICS });
  return w;
}

describe('TraceWriter + readTrace', () => {
  it('round-trips a trace', () => {
    const sink = memorySink();
    const w = writeTrace(sink);
    expect(sink.closed).toBe(true);
    expect(sink.lines).toHaveLength(1 + BODIES.length + 1 + 1);
    const trace = readTrace(sink.text());
    expect(trace.problems).toEqual([]);
    expect(trace.partial).toBe(false);
    expect(trace.hashOk).toBe(true);
    expect(trace.header).toEqual(HEADER);
    expect(trace.events).toEqual(events());
    expect(trace.checkpoints).toHaveLength(1);
    expect(trace.footer?.counts).toEqual(w.counts());
    expect(trace.footer?.counts['node.state']).toBe(4);
    expect(trace.footer?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(trace.footer ?? {})).toEqual([
      'kind',
      't',
      'stop',
      'counts',
      'verdicts',
      'metrics',
      'hash',
    ]);
  });

  it('batches writes and produces the same bytes whatever the batch size', () => {
    const chunks: string[] = [];
    const counting: TraceSink = { write: (c) => chunks.push(c), close: () => undefined };
    writeTrace(counting, { flushLines: 3 });
    expect(chunks.length).toBe(Math.ceil(11 / 3));
    const one = memorySink();
    writeTrace(one);
    expect(chunks.join('')).toBe(one.text());
  });

  it('hashes exactly the bytes written so far, whatever the batch size and wherever it is read', () => {
    for (const flushLines of [1, 3, 256]) {
      const sink = memorySink();
      const w = new TraceWriter(sink, { flushLines });
      w.header(HEADER);
      const evs = events();
      for (const [i, e] of evs.entries()) {
        w.event(e);
        // Read mid-batch and at batch ends alike: lines are hashed a batch at a time (writer.ts).
        if (i % 2 === 0) {
          w.flush();
          const expected = createHash('sha256').update(sink.text()).digest('hex');
          expect(w.currentHash(), `flushLines ${flushLines}, event ${i}`).toBe(expected);
        } else {
          const before = sink.text();
          const hash = w.currentHash();
          w.flush();
          expect(createHash('sha256').update(sink.text()).digest('hex')).toBe(hash);
          expect(sink.text().length).toBeGreaterThanOrEqual(before.length);
        }
      }
      w.end({ kind: 'footer', t: 10_000, stop: 'duration', verdicts: [], metrics: METRICS });
      expect(readTrace(sink.text()).hashOk, `flushLines ${flushLines}`).toBe(true);
    }
  });

  it('writes through a file sink, creating directories', () => {
    const dir = mkdtempSync(join(tmpdir(), 'upgradelab-trace-'));
    try {
      const path = join(dir, 'nested', 'deeper', 'run.jsonl');
      writeTrace(fileSink(path));
      const mem = memorySink();
      writeTrace(mem);
      expect(readFileSync(path, 'utf8')).toBe(mem.text());
      const trace = readTrace(path);
      expect(trace.hashOk).toBe(true);
      expect(() => readTrace(join(dir, 'missing.jsonl'))).toThrow(TraceError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('detects an edited line through the hash', () => {
    const sink = memorySink();
    writeTrace(sink);
    const edited = sink.text().replace('"term":2}', '"term":3}');
    expect(edited).not.toBe(sink.text());
    const trace = readTrace(edited, 'edited.jsonl');
    expect(trace.hashOk).toBe(false);
    expect(trace.problems.some((p) => p.startsWith('edited.jsonl:11: hash mismatch'))).toBe(true);
  });

  it('refuses writes out of order and after the end (simulator bugs)', () => {
    const w = new TraceWriter(memorySink());
    expect(() => w.event(events()[0]!)).toThrow(/header first/);
    w.header(HEADER);
    w.event(events()[3]!);
    expect(() => w.event(events()[2]!)).toThrow(/does not follow/);
    w.end({ t: 1, stop: 'x', verdicts: [], metrics: METRICS });
    expect(() => w.event(events()[7]!)).toThrow(/ended/);
  });

  it('reads a partial trace: no footer, last line cut off', () => {
    const chunks: string[] = [];
    const sink: TraceSink = { write: (c) => chunks.push(c), close: () => undefined };
    const w = new TraceWriter(sink);
    w.header(HEADER);
    events().forEach((e) => w.event(e));
    w.flush(); // what an error handler does before the process dies
    const cut = chunks.join('').slice(0, -20);
    const trace = readTrace(cut, 'crashed.jsonl');
    expect(trace.partial).toBe(true);
    expect(trace.footer).toBeNull();
    expect(trace.hashOk).toBeNull();
    expect(trace.events).toHaveLength(BODIES.length - 1);
    expect(trace.problems).toEqual([
      `crashed.jsonl:${BODIES.length + 1}: the last line is cut off (the run stopped mid-write); ignored`,
    ]);

    const whole = readTrace(chunks.join(''));
    expect(whole.partial).toBe(true);
    expect(whole.problems).toEqual([]);
    expect(whole.events).toHaveLength(BODIES.length);
  });

  it('reports structural problems without throwing', () => {
    const lines = memorySink();
    writeTrace(lines);
    const all = lines.lines;
    // swap two events with different times, and add an unknown event type
    const swapped = [
      all[0],
      all[5],
      all[4],
      ...all.slice(6, -1),
      '{"kind":"event","t":9500,"seq":99,"type":"bogus"}',
    ];
    const trace = readTraceText(swapped.join('\n') + '\n', 't.jsonl');
    expect(
      trace.problems.some((p) =>
        p.startsWith('t.jsonl:3: event (t=1000, seq=3) does not follow (t=2000, seq=4)'),
      ),
    ).toBe(true);
    expect(trace.problems.some((p) => p.includes('unknown event type "bogus"'))).toBe(true);
    expect(trace.partial).toBe(true);
  });

  it.each([
    ['', 1, 'empty trace'],
    ['not json\n', 1, /not JSON/],
    ['{"kind":"header"}\n', 1, 'not an upgradelab trace (format field missing)'],
    ['{"format":"other"}\n', 1, /not an upgradelab trace \(format "other"\)/],
    [
      JSON.stringify({ ...HEADER, version: 3 }) + '\n',
      1,
      /unsupported trace version 3 \(this reader reads 1 and 2\)/,
    ],
    [JSON.stringify(HEADER) + '\n{"kind":"event"\n{"kind":"event"}\n', 2, /not JSON/],
  ])('throws a TraceError naming the line for %j', (text, line, message) => {
    let caught: unknown;
    try {
      readTraceText(text, 'trace.jsonl');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TraceError);
    const err = caught as TraceError;
    expect(err.line).toBe(line);
    expect(err.message.startsWith(`trace.jsonl:${line}: `)).toBe(true);
    if (typeof message === 'string') expect(err.problem).toBe(message);
    else expect(err.problem).toMatch(message);
  });
});

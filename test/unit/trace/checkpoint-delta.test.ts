// Delta checkpoints (trace format v2, sim/trace/checkpoint-delta.ts): over the regression library, the
// state the reader rebuilds from keyframes and deltas equals the full state at every checkpoint, which the
// same run writes when every checkpoint is a keyframe; the reader keeps reading v1 traces; damage to the
// chain of deltas is reported and never resolved into a wrong state.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../sim/scenario/load.js';
import { simulate } from '../../../sim/simulate.js';
import { applyCheckpointDelta, checkpointDelta, sameJson } from '../../../sim/trace/checkpoint-delta.js';
import { readTraceText } from '../../../sim/trace/reader.js';
import { CHECKPOINT_KEYFRAME_EVERY, type TraceCheckpoint } from '../../../sim/trace/types.js';

const LIBRARY = [
  ...readdirSync('scenarios/regression')
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `scenarios/regression/${f}`),
  'scenarios/default.yaml',
  'scenarios/failed-boot-rollback.yaml',
  'scenarios/power-loss-costs-quorum.yaml',
];

const kinds = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { kind: string }).kind);

describe('delta checkpoints over the regression library', () => {
  it.each(LIBRARY)('%s: keyframe + deltas rebuild the full state at every checkpoint', (file) => {
    const s = loadScenarioFile(file);
    const delta = simulate(s).trace!;
    const full = simulate(s, { checkpointKeyframeEvery: 1 }).trace!;
    const d = readTraceText(delta, 'delta');
    const f = readTraceText(full, 'full');
    expect(d.problems).toEqual([]);
    expect(d.hashOk).toBe(true);
    expect(f.checkpoints.length).toBeGreaterThan(1);
    // The same run: the same events and, checkpoint by checkpoint, the same state.
    expect(d.events).toEqual(f.events);
    expect(d.checkpoints).toHaveLength(f.checkpoints.length);
    for (let i = 0; i < f.checkpoints.length; i++)
      expect(d.checkpoints[i], `checkpoint ${i} (t=${f.checkpoints[i]!.t})`).toEqual(f.checkpoints[i]);
    // Byte for byte too: a resolved checkpoint serialises as the full line did (same key order).
    const fullLines = full.split('\n').filter((l) => l.startsWith('{"kind":"checkpoint",'));
    expect(d.checkpoints.map((c) => JSON.stringify(c))).toEqual(fullLines);
    // Keyframes come where promised: the first checkpoint, then every CHECKPOINT_KEYFRAME_EVERY-th.
    const cpKinds = kinds(delta).filter((k) => k.startsWith('checkpoint'));
    cpKinds.forEach((k, i) =>
      expect(k, `checkpoint ${i}`).toBe(
        i % CHECKPOINT_KEYFRAME_EVERY === 0 ? 'checkpoint' : 'checkpoint-delta',
      ),
    );
    expect(delta.length).toBeLessThan(full.length);
  });
});

const CP: TraceCheckpoint = {
  kind: 'checkpoint',
  t: 60_000,
  seq: 10,
  nodes: [
    {
      name: 'cp1',
      state: 'running',
      version: 'v1.7.6',
      bootedSlot: 'A',
      ready: true,
      upgrading: null,
      slots: { A: { version: 'v1.7.6', intact: true }, B: null },
      bootloader: { default: 'A', fallback: null },
      meta: { upgradeFallback: null, staged: null },
      etcd: { member: 'm1', learner: false, started: true, lastIndex: 7 },
      powered: true,
    },
    {
      name: 'w1',
      state: 'running',
      version: 'v1.7.6',
      bootedSlot: 'A',
      ready: true,
      upgrading: null,
      slots: { A: { version: 'v1.7.6', intact: true }, B: null },
      bootloader: { default: 'A', fallback: null },
      meta: { upgradeFallback: null, staged: null },
      etcd: null,
      powered: true,
    },
  ],
  etcd: { leader: 'cp1', term: 1, commitIndex: 7, voters: 1, learners: 0 },
  activeFaults: [],
  partitions: [],
};

function next(change: (c: TraceCheckpoint) => void): TraceCheckpoint {
  const c = structuredClone(CP);
  c.t += 60_000;
  c.seq += 5;
  change(c);
  return c;
}

describe('checkpointDelta / applyCheckpointDelta', () => {
  it('records only the changed fields, and nothing when nothing changed', () => {
    const same = checkpointDelta(
      CP,
      next(() => {}),
    );
    expect(same).toEqual({ kind: 'checkpoint-delta', t: 120_000, seq: 15, base: 10, nodes: [] });
    const b = next((c) => {
      c.nodes[1]!.slots.B = { version: 'v1.8.0', intact: false };
      c.partitions = [['cp1'], ['w1']];
    });
    const d = checkpointDelta(CP, b);
    expect(d.nodes).toEqual([
      {
        name: 'w1',
        slots: { A: { version: 'v1.7.6', intact: true }, B: { version: 'v1.8.0', intact: false } },
      },
    ]);
    expect(d.partitions).toEqual([['cp1'], ['w1']]);
    expect(d).not.toHaveProperty('etcd');
    expect(d).not.toHaveProperty('activeFaults');
    expect(applyCheckpointDelta(CP, d)).toEqual(b);
  });

  it('a change to any one field of any node round-trips', () => {
    const changes: ((c: TraceCheckpoint) => void)[] = [
      (c) => (c.nodes[0]!.state = 'rebooting'),
      (c) => (c.nodes[0]!.version = null),
      (c) => (c.nodes[0]!.bootedSlot = 'B'),
      (c) => (c.nodes[1]!.ready = false),
      (c) => (c.nodes[1]!.upgrading = 'v1.8.0'),
      (c) => (c.nodes[0]!.slots.A!.intact = false),
      (c) => (c.nodes[0]!.bootloader.fallback = 'A'),
      (c) => (c.nodes[1]!.meta = null),
      (c) => (c.nodes[0]!.etcd!.lastIndex = 8),
      (c) => (c.nodes[1]!.powered = false),
      (c) => (c.etcd.leader = null),
      (c) => (c.activeFaults = [3]),
    ];
    for (const change of changes) {
      const b = next(change);
      const d = checkpointDelta(CP, b);
      expect(sameJson(applyCheckpointDelta(CP, d), b), String(change)).toBe(true);
      expect(JSON.stringify(d).length).toBeLessThan(JSON.stringify(b).length);
    }
  });

  it('refuses a delta on another base or naming an unknown node', () => {
    const d = checkpointDelta(
      CP,
      next((c) => (c.nodes[0]!.ready = false)),
    );
    expect(applyCheckpointDelta({ ...CP, seq: 9 }, d)).toMatch(/based on the checkpoint with seq 10/);
    expect(applyCheckpointDelta(CP, { ...d, nodes: [{ name: 'nope', ready: true }] })).toMatch(/node "nope"/);
  });
});

describe('reading traces of either version', () => {
  it('reads a v1 trace (every checkpoint full) as before: hash, counts, checkpoints', () => {
    const text = readFileSync('test/fixtures/trace-v1/failed-boot-short.v1.jsonl', 'utf8');
    const t = readTraceText(text, 'v1');
    expect(t.header.version).toBe(1);
    expect(t.problems).toEqual([]);
    expect(t.hashOk).toBe(true);
    expect(t.partial).toBe(false);
    expect(t.checkpoints).toHaveLength(12);
    expect(t.checkpoints.every((c) => c.nodes.length === 5)).toBe(true);
  });

  it('reports a delta in a v1 trace, and a broken chain of deltas up to the next keyframe', () => {
    const v1 = readFileSync('test/fixtures/trace-v1/failed-boot-short.v1.jsonl', 'utf8').split('\n');
    const at = v1.findIndex((l) => l.startsWith('{"kind":"checkpoint",'));
    const lines = [...v1];
    lines.splice(
      at + 1,
      0,
      JSON.stringify({ kind: 'checkpoint-delta', t: JSON.parse(v1[at]!).t, seq: 99_999, base: 0, nodes: [] }),
    );
    expect(readTraceText(lines.join('\n'), 'x').problems.join('\n')).toMatch(
      /checkpoint-delta line in a version 1 trace; ignored/,
    );

    const text = simulate(loadScenarioFile('scenarios/default.yaml')).trace!.split('\n');
    const deltas = text.flatMap((l, i) => (l.startsWith('{"kind":"checkpoint-delta"') ? [i] : []));
    const first = deltas[0]!;
    const broken = [...text];
    broken[first] = broken[first]!.replace(/"base":\d+/, '"base":1');
    const r = readTraceText(broken.join('\n'), 'x');
    const good = readTraceText(text.join('\n'), 'x');
    const unresolved = r.problems.filter((p) => p.includes('cannot be resolved'));
    // The damaged delta and every delta after it until the next keyframe: CHECKPOINT_KEYFRAME_EVERY - 1.
    expect(unresolved).toHaveLength(CHECKPOINT_KEYFRAME_EVERY - 1);
    expect(r.checkpoints).toHaveLength(good.checkpoints.length - (CHECKPOINT_KEYFRAME_EVERY - 1));
    // Whatever was resolved is right.
    const byT = new Map(good.checkpoints.map((c) => [c.t, c]));
    for (const c of r.checkpoints) expect(c).toEqual(byT.get(c.t));
  });
});

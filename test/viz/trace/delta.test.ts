// The viewer resolves checkpoint-delta lines (trace v2) itself (viz/src/trace/delta.ts mirrors
// sim/trace/checkpoint-delta.ts, as viz/ imports only types from sim/): over the regression library it
// must hand the model exactly the full checkpoints the simulator's reader resolves, keep reading v1
// traces, and stop at a delta that does not fit instead of drawing a wrong state.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../sim/scenario/load.js';
import { simulate } from '../../../sim/simulate.js';
import { readTraceText } from '../../../sim/trace/reader.js';
import type { TraceCheckpoint } from '../../../sim/trace/types.js';
import { parseTrace, type ParseOutcome } from '../../../viz/src/trace/parse.js';

const LIBRARY = [
  ...readdirSync('scenarios/regression')
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `scenarios/regression/${f}`),
  'scenarios/default.yaml',
];
const V1 = 'test/fixtures/trace-v1/failed-boot-short.v1.jsonl';

function vizCheckpoints(text: string): { outcome: ParseOutcome; checkpoints: TraceCheckpoint[] } {
  const checkpoints: TraceCheckpoint[] = [];
  const outcome = parseTrace(text, {
    header() {},
    event() {},
    checkpoint: (c) => checkpoints.push(c),
    footer() {},
  });
  return { outcome, checkpoints };
}

describe('viz: delta checkpoints', () => {
  it.each(LIBRARY)('%s: the viewer resolves the same checkpoints as the reader', (file) => {
    const text = simulate(loadScenarioFile(file)).trace!;
    expect(text).toContain('"kind":"checkpoint-delta"');
    const v = vizCheckpoints(text);
    expect(v.outcome).toMatchObject({ fatal: null, partial: false });
    const r = readTraceText(text, file);
    expect(r.checkpoints.length).toBeGreaterThan(1);
    expect(v.checkpoints).toEqual(r.checkpoints);
  });

  it('reads a v1 trace, whose checkpoints are all full', () => {
    const text = readFileSync(V1, 'utf8');
    const v = vizCheckpoints(text);
    expect(v.outcome).toMatchObject({ fatal: null, partial: false });
    expect(v.checkpoints).toEqual(readTraceText(text, V1).checkpoints);
    expect(v.checkpoints).toHaveLength(12);
  });

  it('stops at a delta that does not fit the checkpoint before it, keeping what came before', () => {
    const lines = simulate(loadScenarioFile('scenarios/default.yaml')).trace!.split('\n');
    const at = lines.findIndex((l) => l.startsWith('{"kind":"checkpoint-delta"'));
    lines[at] = lines[at]!.replace(/"base":\d+/, '"base":1');
    const v = vizCheckpoints(lines.join('\n'));
    expect(v.outcome.partial).toBe(true);
    expect(v.outcome.stoppedAt?.line).toBe(at + 1);
    expect(v.outcome.stoppedAt?.message).toMatch(
      /checkpoint-delta does not fit: it is based on the checkpoint with seq 1/,
    );
    expect(v.checkpoints).toHaveLength(1);
  });

  it('stops at a delta in a v1 trace', () => {
    const lines = readFileSync(V1, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('{"kind":"checkpoint",'));
    const t = (JSON.parse(lines[at]!) as { t: number }).t;
    lines.splice(at + 1, 0, JSON.stringify({ kind: 'checkpoint-delta', t, seq: 1e6, base: 0, nodes: [] }));
    const v = vizCheckpoints(lines.join('\n'));
    expect(v.outcome.stoppedAt?.message).toBe('a checkpoint-delta line in a version 1 trace');
  });
});

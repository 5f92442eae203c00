// Incremental checkpoints (sim/trace/checkpoint-incremental.ts, issue 8): a run rebuilds only the records
// of nodes that changed since the previous checkpoint. In verify mode (SimulateOptions.verifyInvariants)
// every checkpoint is also built in full and compared, and keyframes byte for byte; here verify runs over
// the regression library (every fault kind) and random faults with partitions on a larger cluster. The
// keyframe policy is checked line by line on a cluster whose keyframes outweigh ten deltas.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../sim/engine/rng.js';
import { loadScenarioFile, parseScenario } from '../../../sim/scenario/load.js';
import { simulate } from '../../../sim/simulate.js';
import { checkpointDelta } from '../../../sim/trace/checkpoint-delta.js';
import { keyframePolicy } from '../../../sim/trace/checkpoint-incremental.js';
import { readTraceText } from '../../../sim/trace/reader.js';

const RANDOM_PARTITIONS = `name: checkpoint-random
seed: 1
duration: 40m
checkpointEvery: 30s
cluster: { controlPlanes: 3, workers: 37, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 3m, policy: { preset: talosctl, parallel: 10 } }
random:
  powerLoss: { ratePerNodeHour: 0.2, duration: 30s..3m }
  isolate: { ratePerNodeHour: 0.2, duration: 10s..2m }
  maxConcurrent: 3
`;

const LARGE = `name: checkpoint-large
seed: 1
duration: 3h
cluster: { controlPlanes: 3, workers: 297, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 5m, policy: { preset: talosctl, parallel: 50 } }
workload: { etcdWritesPerSecond: 5 }
`;

describe('incremental checkpoints', () => {
  it.each(readdirSync('scenarios/regression').filter((f) => f.endsWith('.yaml')))(
    'equal the full state at every checkpoint: regression/%s',
    (f) => {
      const s = loadScenarioFile(`scenarios/regression/${f}`);
      const r = simulate(s, { verifyInvariants: true });
      expect(r.trace).toContain('"kind":"checkpoint-delta"');
    },
  );

  it('equal the full state on random seeds with power losses and isolations at 40 nodes', () => {
    const s = parseScenario(RANDOM_PARTITIONS, 'checkpoint-random.yaml');
    const seeds = new Rng('checkpoint-incremental-test').stream('seeds');
    let partitionChanges = 0;
    for (let i = 0; i < 3; i++) {
      const r = simulate(s, { seed: seeds.int(1, 1_000_000), verifyInvariants: true });
      partitionChanges += r.trace!.split('\n').filter((l) => l.includes('"partitions":[[')).length;
    }
    // The seeds isolate nodes, so partitions change between checkpoints and deltas carry them.
    expect(partitionChanges).toBeGreaterThan(3);
  });

  it('canary: a world that forgets which nodes changed is caught by verify', () => {
    const s = parseScenario(LARGE.replace('workers: 297', 'workers: 7'), 'canary.yaml');
    expect(() =>
      simulate(s, {
        verifyInvariants: true,
        mutateWorld: (w) => {
          const track = w.trackChanges.bind(w);
          // Forget the workers only: control planes are looked at in every checkpoint anyway.
          w.trackChanges = () => {
            const take = track();
            return () => new Set([...take()].filter((n) => w.node(n).role === 'controlplane'));
          };
        },
      }),
    ).toThrow(/incremental checkpoint at t=\d+ ms differs/);
  });

  it('writes keyframes once the deltas since the last outweigh it, and resolves to the full states', () => {
    const s = parseScenario(LARGE, 'checkpoint-large.yaml');
    const text = simulate(s).trace!;
    const lines = text.split('\n').filter((l) => l.startsWith('{"kind":"checkpoint'));
    const { minDeltas, maxDeltas } = keyframePolicy();
    let keyframeChars = 0;
    let deltaChars = 0;
    let deltas = 0;
    let keyframes = 0;
    lines.forEach((line, i) => {
      const keyframe = line.startsWith('{"kind":"checkpoint",');
      const due = i === 0 || deltas >= maxDeltas || (deltas >= minDeltas && deltaChars >= keyframeChars);
      expect(
        keyframe,
        `checkpoint ${i}: ${deltas} deltas of ${deltaChars} chars since a ${keyframeChars}`,
      ).toBe(due);
      if (keyframe) {
        keyframes++;
        keyframeChars = line.length;
        deltaChars = 0;
        deltas = 0;
      } else {
        deltaChars += line.length;
        deltas++;
      }
    });
    // 300 nodes: a keyframe is much larger than ten deltas, so they are rarer than every 10 checkpoints.
    expect(lines).toHaveLength(180);
    expect(keyframes).toBeGreaterThan(1);
    expect(keyframes).toBeLessThan(lines.length / 10);
    // The reader resolves every delta to the state the same run writes when every checkpoint is full.
    const full = readTraceText(simulate(s, { checkpointKeyframeEvery: 1 }).trace!, 'full');
    const resolved = readTraceText(text, 'delta');
    expect(resolved.problems).toEqual([]);
    expect(resolved.checkpoints.map((c) => JSON.stringify(c))).toEqual(
      full.checkpoints.map((c) => JSON.stringify(c)),
    );
    // Each delta line is, byte for byte, the writer's diff of the two full states (checkpointDelta).
    const f = full.checkpoints;
    lines.forEach((line, i) => {
      if (line.startsWith('{"kind":"checkpoint-delta",'))
        expect(line, `checkpoint ${i}`).toBe(JSON.stringify(checkpointDelta(f[i - 1]!, f[i]!)));
    });
  });
});

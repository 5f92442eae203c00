// What a traced run costs over a trace-less one (issue 8 target: >= 500,000x simulated time over wall time
// on the default scenario, traced), and what checkpoints cost at 1,000 nodes written in full vs as deltas
// (trace format v2, sim/trace/checkpoint-delta.ts).
//
// Times are the process's CPU time (process.cpuUsage: user + system, the GC's included), medians over
// interleaved rounds after a warm-up: on this 2-core machine shared by several engineers wall time mostly
// measures the neighbours. The wall-time medians are printed beside them.
import { parseScenario } from '../sim/scenario/load.js';
import type { Scenario } from '../sim/scenario/types.js';
import { simulate, type SimulateOptions } from '../sim/simulate.js';
import type { TraceCheckpoint } from '../sim/trace/types.js';
import { TraceWriter, type TraceSink } from '../sim/trace/writer.js';

const discard: TraceSink = { write() {}, close() {} };

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs every case once per round, interleaved, after one warm-up each; medians of CPU and wall ms. */
function interleaved(
  cases: Record<string, () => void>,
  rounds: number,
): Record<string, { cpuMs: number; wallMs: number }> {
  const cpu: Record<string, number[]> = {};
  const wall: Record<string, number[]> = {};
  for (const [name, fn] of Object.entries(cases)) {
    fn();
    cpu[name] = [];
    wall[name] = [];
  }
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(cases)) {
      const c0 = cpuMs();
      const w0 = performance.now();
      fn();
      wall[name]!.push(performance.now() - w0);
      cpu[name]!.push(cpuMs() - c0);
    }
  }
  const out: Record<string, { cpuMs: number; wallMs: number }> = {};
  for (const name of Object.keys(cases))
    out[name] = { cpuMs: median(cpu[name]!), wallMs: median(wall[name]!) };
  return out;
}

/**
 * The default scenario traced (deltas, the default), traced with every checkpoint full, and trace-less:
 * per-run cost and simulated time over run time. `rounds` interleaved rounds (at least 20 for a stable
 * median of a ~15-40 ms run).
 */
export function measureTracedRatio(def: Scenario, rounds: number): void {
  const runs: Record<string, SimulateOptions> = {
    'traced (delta checkpoints)': { sink: discard },
    'traced (every checkpoint full)': { sink: discard, checkpointKeyframeEvery: 1 },
    'trace-less': { trace: false },
  };
  const cases = Object.fromEntries(
    Object.entries(runs).map(([name, o]) => [name, () => void simulate(def, o)]),
  );
  const res = interleaved(cases, rounds);
  const simMs = def.durationMs;
  console.log('');
  console.log(`default scenario (${simMs / 3_600_000} h simulated), median of ${rounds} interleaved rounds:`);
  for (const [name, r] of Object.entries(res)) {
    console.log(
      `  ${name.padEnd(31)} cpu ${r.cpuMs.toFixed(1).padStart(6)} ms ${`${Math.round(simMs / r.cpuMs).toLocaleString('en-US')}x`.padStart(10)}   wall ${r.wallMs.toFixed(1).padStart(6)} ms ${`${Math.round(simMs / r.wallMs).toLocaleString('en-US')}x`.padStart(10)}`,
    );
  }
  const t = res['traced (delta checkpoints)']!;
  const less = res['trace-less']!;
  console.log(
    `  tracing costs ${(t.cpuMs - less.cpuMs).toFixed(1)} ms of CPU a run (${((t.cpuMs / less.cpuMs - 1) * 100).toFixed(0)} %); simulated time / CPU time, traced: ${Math.round(simMs / t.cpuMs).toLocaleString('en-US')}x (target >= 500,000x)`,
  );
}

/** A 1,000-node rollout whose checkpoints change a little (a worker batch at a time) between them. */
const CHECKPOINT_SCENARIO = `name: checkpoints-1000
seed: 1
duration: 12m
checkpointEvery: 30s
cluster: { controlPlanes: 3, workers: 997, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 2m, policy: { preset: talosctl, parallel: 50 } }
workload: { etcdWritesPerSecond: 5 }
`;

/**
 * Checkpoint cost at 1,000 nodes: the checkpoints of one real run (every one full, read back from its
 * trace) written again through a TraceWriter with every checkpoint full and with keyframes every 10 and
 * deltas between: the writer's CPU per checkpoint (diffing, serialising, hashing) and the bytes. Building
 * the state (sim/trace/checkpoint.ts) is the same for both and not in these figures.
 */
export function measureCheckpointCost(rounds: number): void {
  const sc = parseScenario(CHECKPOINT_SCENARIO, 'checkpoints-1000.yaml');
  const text = simulate(sc, { checkpointKeyframeEvery: 1 }).trace!;
  const cps = text
    .split('\n')
    .filter((l) => l.startsWith('{"kind":"checkpoint",'))
    .map((l) => JSON.parse(l) as TraceCheckpoint);
  const header = JSON.parse(text.slice(0, text.indexOf('\n'))) as Parameters<TraceWriter['header']>[0];
  const bytes: Record<string, number> = {};
  const write = (name: string, keyframeEvery: number) => () => {
    let n = 0;
    const w = new TraceWriter(
      {
        write: (c) => {
          n += Buffer.byteLength(c);
        },
        close() {},
      },
      { keyframeEvery },
    );
    w.header(header);
    for (const c of cps) w.checkpoint(c);
    w.flush();
    bytes[name] = n;
  };
  const res = interleaved({ full: write('full', 1), delta: write('delta', 10) }, rounds);
  console.log('');
  console.log(
    `checkpoints at 1,000 nodes (${cps.length} of a 12 min rollout, every 30 s), writer cost, median of ${rounds} rounds:`,
  );
  for (const name of ['full', 'delta']) {
    const r = res[name]!;
    console.log(
      `  ${name.padEnd(6)} ${((r.cpuMs * 1000) / cps.length).toFixed(0).padStart(6)} us cpu and ${Math.round(
        bytes[name]! / cps.length,
      )
        .toLocaleString('en-US')
        .padStart(8)} bytes per checkpoint`,
    );
  }
  console.log(
    `  delta/full: ${(res.delta!.cpuMs / res.full!.cpuMs).toFixed(2)}x the CPU, ${(bytes.delta! / bytes.full!).toFixed(3)}x the bytes`,
  );
}

// npm run bench [REPEAT] [SWEEP_SEEDS] [SCALE_MAX_NODES]: throughput of the simulator, reported against baselines measured in
// the same run, so the ratios mean something on a shared, noisy machine. Each case runs REPEAT times (5);
// the median counts.
//   baseline/scheduler   the bare event loop: empty tasks through the (time, seq) heap
//   baseline/xstate      actor.send on a two-state machine (the per-event cost of any XState model)
//   default/all-on       scenarios/default.yaml with every invariant, the trace serialised and hashed, and
//                        checkpoints (the sink discards the bytes)
//   default/in-memory    the same, the trace kept in memory
//   default/trace-less   the same run in trace-less mode (simulate({ trace: false }), what sweeps run):
//                        the difference to default/all-on is what tracing costs
//   random-faults        a 5-control-plane upgrade under random power losses and isolations
// Then the cost of one event as the cluster grows: 3 control planes and 2..997 workers (5, 50, 200, 500
// and 1,000 nodes, up to SCALE_MAX_NODES, default 1000), whole 2 h talosctl rollouts with worker batches
// of 50, with the ratio to 5 nodes at the same event mix (target 1,000/5 <= 1.5x), the share of
// checkpoints and the peak resident memory after the largest (bench/scale.ts says how).
// Then what tracing costs on the default scenario (CPU time: traced with delta checkpoints, with every
// checkpoint full, trace-less) and the writer's cost per checkpoint at 1,000 nodes, full vs delta
// (bench/trace-cost.ts).
// Then, side by side: a sweep of SWEEP_SEEDS (16) seeds of the default scenario on 1 and on 2 worker threads
// (seeds/s), and the start-up of `upgradelab run` (process start to the first simulated event, reported by
// the CLI) against its whole wall time as new processes, with `validate` beside it (bench/startup.ts; the
// target is start-up <= 1/3 of a run).
// Last, the property kit (bench/property.ts): property runs/s on the 3+2 scenario and shrink time per canary.
import { createActor, createMachine } from 'xstate';
import { runPool } from '../sim/sweep/pool.js';
import { Scheduler } from '../sim/engine/scheduler.js';
import { loadScenarioFile, parseScenario } from '../sim/scenario/load.js';
import { simulate } from '../sim/simulate.js';
import { measureScale, printScale, SCALE_SIZES } from './scale.js';
import { measureStartup } from './startup.js';
import { measureCheckpointCost, measureTracedRatio } from './trace-cost.js';
import type { TraceSink } from '../sim/trace/writer.js';
import { runPropertyBench } from './property.js';

/** A whole-number argument in [min, max], or exit 2 naming it (a 0 would crash only after minutes of runs). */
function intArg(i: number, name: string, fallback: number, min: number, max: number): number {
  const v = Number(process.argv[i] ?? fallback);
  if (Number.isInteger(v) && v >= min && v <= max) return v;
  console.error(`bench: ${name} must be a whole number from ${min} to ${max}, not ${process.argv[i]}`);
  process.exit(2);
}
const REPEAT = intArg(2, 'REPEAT', 5, 1, 100);
const SWEEP_SEEDS = intArg(3, 'SWEEP_SEEDS', 16, 1, 100_000);
// The scale cases include cluster sizes up to this many nodes (5 is the smallest).
const SCALE_MAX_NODES = intArg(4, 'SCALE_MAX_NODES', 1000, 5, 10_003);

interface Row {
  name: string;
  events: number;
  wallMs: number;
  simulatedMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(name: string, fn: () => { events: number; simulatedMs: number }): Row {
  fn(); // warm-up (JIT)
  const walls: number[] = [];
  let last = { events: 0, simulatedMs: 0 };
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    last = fn();
    walls.push(performance.now() - t0);
  }
  const row = { name, events: last.events, wallMs: median(walls), simulatedMs: last.simulatedMs };
  process.stderr.write(
    `  measured ${name}: ${row.events} events, median ${row.wallMs.toFixed(1)} ms of ${REPEAT} runs\n`,
  );
  return row;
}

const discard: TraceSink = { write() {}, close() {} };

const rows: Row[] = [];
process.stderr.write(`bench: ${REPEAT} runs per case (median), node ${process.version}\n`);

rows.push(
  measure('baseline/scheduler', () => {
    const s = new Scheduler();
    const n = 1_000_000;
    let left = n;
    const tick = () => {
      if (--left > 0) s.after(1, tick);
    };
    for (let i = 0; i < 8; i++) s.at(i, tick);
    s.run({ maxEvents: n, maxTimeMs: Number.MAX_SAFE_INTEGER });
    return { events: s.eventsExecuted, simulatedMs: s.now };
  }),
);

rows.push(
  measure('baseline/xstate', () => {
    const m = createMachine({ initial: 'a', states: { a: { on: { T: 'b' } }, b: { on: { T: 'a' } } } });
    const a = createActor(m).start();
    const n = 200_000;
    for (let i = 0; i < n; i++) a.send({ type: 'T' });
    a.stop();
    return { events: n, simulatedMs: 0 };
  }),
);

const def = loadScenarioFile('scenarios/default.yaml');
rows.push(measure('default/all-on', () => simulate(def, { sink: discard, checkpoints: true }).metrics));
rows.push(
  measure('default/in-memory', () => {
    const r = simulate(def);
    return r.metrics;
  }),
);
rows.push(measure('default/trace-less', () => simulate(def, { trace: false }).metrics));
const rnd = parseScenario(
  `name: bench-random
seed: 3
duration: 4h
cluster: { controlPlanes: 5, workers: 3, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 5m, policy: talosctl }
random:
  powerLoss: { ratePerNodeHour: 0.5, duration: 30s..3m }
  isolate: { ratePerNodeHour: 0.5, duration: 10s..1m }
  maxConcurrent: 1
workload: { etcdWritesPerSecond: 10 }
`,
  'bench-random.yaml',
);
rows.push(measure('random-faults-5cp-3w', () => simulate(rnd, { sink: discard }).metrics));

const base = rows[0]!;
const perSec = (r: Row) => (r.events / r.wallMs) * 1000;
console.log('');
console.log('case                    events   wall ms   events/s   sim-time/wall   vs scheduler baseline');
for (const r of rows) {
  const ratio = perSec(r) / perSec(base);
  console.log(
    `${r.name.padEnd(22)} ${String(r.events).padStart(8)} ${r.wallMs.toFixed(1).padStart(9)} ${Math.round(perSec(r)).toLocaleString('en-US').padStart(10)} ${(r.simulatedMs ? `${Math.round(r.simulatedMs / r.wallMs).toLocaleString('en-US')}x` : '-').padStart(15)}   ${ratio.toFixed(3)}`,
  );
}

const us = (r: Row) => ((r.wallMs * 1000) / r.events).toFixed(2);
const byName = (n: string) => rows.find((r) => r.name === n)!;
const traced = byName('default/all-on');
const bare = byName('default/trace-less');
console.log('');
console.log(`default scenario, per event: traced ${us(traced)} us, trace-less ${us(bare)} us`);
console.log(
  `default scenario, per run:   traced ${traced.wallMs.toFixed(1)} ms, trace-less ${bare.wallMs.toFixed(1)} ms (tracing costs ${((traced.wallMs / bare.wallMs - 1) * 100).toFixed(0)} %)`,
);
console.log(
  `simulated time / wall time, traced: ${Math.round(traced.simulatedMs / traced.wallMs).toLocaleString('en-US')}x (target >= 500,000x)`,
);

// Tracing's cost, and checkpoints at 1,000 nodes full vs delta (bench/trace-cost.ts).
measureTracedRatio(def, Math.max(20, REPEAT * 4));
measureCheckpointCost(REPEAT);

// Per-event cost by cluster size: whole runs, same event mix, CPU time (bench/scale.ts).
printScale(
  measureScale(
    SCALE_SIZES.filter((n) => n <= SCALE_MAX_NODES),
    1,
  ),
);

// Sweeps on worker threads: the same seeds on 1 and on 2 workers, interleaved, median of REPEAT rounds.
const seeds = Array.from({ length: SWEEP_SEEDS }, (_, i) => i + 1);
const sweepWall: Record<number, number[]> = { 1: [], 2: [] };
for (let i = 0; i < Math.min(REPEAT, 3); i++) {
  for (const workers of [1, 2]) {
    const t0 = performance.now();
    await runPool('scenarios/default.yaml', seeds, { workers });
    sweepWall[workers]!.push(performance.now() - t0);
  }
}
console.log('');
for (const workers of [1, 2]) {
  const ms = median(sweepWall[workers]!);
  console.log(
    `sweep of ${SWEEP_SEEDS} seeds (default scenario), ${workers} worker(s): ${ms.toFixed(0)} ms, ${((SWEEP_SEEDS / ms) * 1000).toFixed(1)} seeds/s (pool start included)`,
  );
}

// Start-up: new processes, interleaved (bench/startup.ts).
measureStartup(REPEAT);

runPropertyBench(REPEAT);

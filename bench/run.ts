// npm run bench: throughput of the simulator, reported against baselines measured in the same run, so the
// ratios mean something on a shared, noisy machine. Each case runs several times; the median counts.
//   baseline/scheduler   the bare event loop: empty tasks through the (time, seq) heap
//   baseline/xstate      actor.send on a two-state machine (the per-event cost of any XState model)
//   default/all-on       scenarios/default.yaml with every invariant, the trace and checkpoints
//   default/no-trace     the same with the trace discarded (what tracing costs)
//   random-faults        a 5-control-plane upgrade under random power losses and isolations
import { createActor, createMachine } from 'xstate';
import { Scheduler } from '../sim/engine/scheduler.js';
import { loadScenarioFile, parseScenario } from '../sim/scenario/load.js';
import { simulate } from '../sim/simulate.js';
import type { TraceSink } from '../sim/trace/writer.js';

const REPEAT = Number(process.argv[2] ?? 5);

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

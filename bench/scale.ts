// The cost of one event as the cluster grows (issue 8 target: 1,000 nodes <= 1.5x 5 nodes, same event mix,
// checkpoints on). Each size is a whole run: 3 control planes and 2..997 workers, a talosctl rollout in worker
// batches of 50 from 5 min, 5 writes/s, 2 h simulated, checkpoints every minute, the trace serialised and
// hashed into a sink that discards the bytes.
//
// Why a "same mix" ratio: a whole run's events are not the same kinds at every size. Five nodes finish in
// ten minutes and spend the rest of the 2 h on workload batches and checkpoints, cheap events; a thousand
// nodes spend an hour on node transitions (an XState step each), dear ones. Dividing wall time by events
// therefore compares different work. So every event is timed on its own (SimulateOptions.afterEvent) and
// filed under the kind of the first trace line it wrote (a workload batch's `etcd.commit` only if it wrote
// nothing else; `checkpoint` for checkpoints; `silent` if it wrote none: timers, polls, RPC hops); the
// same-mix ratio prices
// the 5-node run's mix of kinds at each size's per-kind cost (a Laspeyres index). The raw whole-run ratios
// (per scheduler event and per state change, i.e. per trace line) are printed beside it.
//
// Costs are CPU time of the process (process.cpuUsage), less what reading that clock costs.
// The sizes run interleaved, ROUNDS times, in one process, after a warm-up run; the 5-node run repeats over
// seeds 1..N until it has at least as many events as a 200-node run, so its timing is not one GC pause.
// A second pass with checkpoints off gives the share of the run that checkpoints take (built from the nodes
// that changed since the previous one, keyframes once the deltas outweigh them:
// sim/trace/checkpoint-incremental.ts).
import { parseScenario } from '../sim/scenario/load.js';
import type { Scenario } from '../sim/scenario/types.js';
import { simulate } from '../sim/simulate.js';
import type { TraceSink } from '../sim/trace/writer.js';

const discard: TraceSink = { write() {}, close() {} };

/**
 * The process's CPU time in ms (user + system, every thread: the GC's included). CPU time, not wall time:
 * on a machine shared by a dozen processes a run is preempted every few milliseconds, and wall time would
 * charge the preemptions to whichever event was running.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** What reading the clock itself costs, subtracted from every timed event. */
function clockCostMs(): number {
  const n = 20_000;
  const t0 = cpuMs();
  for (let i = 0; i < n; i++) cpuMs();
  return (cpuMs() - t0) / n;
}
let clockMs = 0;

export const SCALE_SIZES = [5, 50, 200, 500, 1000] as const;

export function scaleScenario(nodes: number): Scenario {
  return parseScenario(
    `name: scale-${nodes}
seed: 1
duration: 2h
cluster: { controlPlanes: 3, workers: ${nodes - 3}, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 5m, policy: { preset: talosctl, parallel: 50 } }
workload: { etcdWritesPerSecond: 5 }
`,
    `scale-${nodes}.yaml`,
  );
}

/** What one size cost, summed over its runs. */
export interface ScaleSample {
  nodes: number;
  runs: number;
  events: number;
  /** Trace lines other than checkpoints: the state changes the run wrote down. */
  stateChanges: number;
  totalCpuMs: number;
  /** CPU time outside events: building the world and powering it on (O(nodes), once per run). */
  setupMs: number;
  /** Per kind of event: how many and their total CPU time (ms). */
  kinds: Map<string, { count: number; ms: number }>;
  /** CPU time of the same runs with checkpoints off. */
  cpuNoCheckpointsMs: number;
}

function runOnce(s: Scenario, seed: number, sample: ScaleSample, checkpoints: boolean): void {
  let kind: string | null = null;
  let lines = 0;
  let last = 0;
  let first = true;
  const t0 = cpuMs();
  const r = simulate(s, {
    seed,
    sink: discard,
    checkpoints,
    onEvent: (e) => {
      lines++;
      if (kind === null || kind === 'etcd.commit') kind = e.type;
    },
    onCheckpoint: () => {
      kind = 'checkpoint';
    },
    // The checkpoint-off pass reads the clock as often, so the two passes differ only by checkpoints.
    afterEvent: () => {
      const t = cpuMs();
      if (!checkpoints) return;
      // The first event's interval holds the world's construction: that is setup, not an event.
      if (!first) {
        const k = sample.kinds.get(kind ?? 'silent') ?? { count: 0, ms: 0 };
        k.count++;
        k.ms += t - last - clockMs;
        sample.kinds.set(kind ?? 'silent', k);
      } else sample.setupMs += t - t0;
      first = false;
      kind = null;
      last = t;
    },
  });
  const spent = cpuMs() - t0;
  if (!checkpoints) {
    sample.cpuNoCheckpointsMs += spent;
    return;
  }
  sample.runs++;
  sample.events += r.metrics.events;
  sample.stateChanges += lines;
  sample.totalCpuMs += spent;
}

export function measureScale(sizes: readonly number[], rounds: number): ScaleSample[] {
  clockMs = clockCostMs();
  const scenarios = new Map(sizes.map((n) => [n, scaleScenario(n)]));
  // Warm-up: the JIT compiles the models and the engine once before anything counts.
  for (let seed = 1; seed <= 20; seed++) runOnce(scaleScenario(5), seed, emptySample(5), true);
  // Small clusters repeat over seeds until they have about a 200-node run's events.
  const target = emptySample(200);
  runOnce(scaleScenario(200), 1, target, true);
  const repeats = new Map<number, number>();
  for (const n of sizes) {
    const one = emptySample(n);
    if (n < 200) runOnce(scenarios.get(n)!, 1, one, true);
    repeats.set(n, n < 200 ? Math.max(1, Math.ceil(target.events / one.events)) : 1);
  }
  const samples = new Map(sizes.map((n) => [n, emptySample(n)]));
  for (let round = 0; round < rounds; round++) {
    for (const n of sizes) {
      for (const checkpoints of [true, false]) {
        for (let seed = 1; seed <= repeats.get(n)!; seed++)
          runOnce(scenarios.get(n)!, seed, samples.get(n)!, checkpoints);
      }
      process.stderr.write(`  measured scale/${n} round ${round + 1}: ${repeats.get(n)} run(s) each way\n`);
    }
  }
  return [...samples.values()];
}

function emptySample(nodes: number): ScaleSample {
  return {
    nodes,
    runs: 0,
    events: 0,
    stateChanges: 0,
    totalCpuMs: 0,
    setupMs: 0,
    kinds: new Map(),
    cpuNoCheckpointsMs: 0,
  };
}

export interface ScaleRow {
  nodes: number;
  usPerEvent: number;
  usPerStateChange: number;
  /** Per-event cost of the smallest size's mix of kinds at this size's per-kind cost. */
  usPerEventSameMix: number;
  /** The same, leaving checkpoint events out of the mix. */
  usPerEventSameMixNoCheckpoints: number;
  eventsPerRun: number;
  setupShare: number;
  checkpointShare: number;
}

/** µs per event of `base`'s mix of kinds at `s`'s cost per kind (kinds `s` never ran are left out). */
function sameMix(base: ScaleSample, s: ScaleSample, skip: string | null): number {
  let priced = 0;
  let weight = 0;
  for (const [kind, b] of base.kinds) {
    const k = s.kinds.get(kind);
    if (kind === skip || !k || k.count === 0) continue;
    priced += b.count * (k.ms / k.count);
    weight += b.count;
  }
  return (priced / weight) * 1000;
}

export function scaleRows(samples: readonly ScaleSample[]): ScaleRow[] {
  const base = samples[0]!;
  return samples.map((s) => {
    return {
      nodes: s.nodes,
      usPerEvent: (s.totalCpuMs * 1000) / s.events,
      usPerStateChange: (s.totalCpuMs * 1000) / s.stateChanges,
      usPerEventSameMix: sameMix(base, s, null),
      usPerEventSameMixNoCheckpoints: sameMix(base, s, 'checkpoint'),
      eventsPerRun: s.events / s.runs,
      setupShare: s.setupMs / s.totalCpuMs,
      checkpointShare: Math.max(0, 1 - s.cpuNoCheckpointsMs / s.totalCpuMs),
    };
  });
}

export function printScale(samples: readonly ScaleSample[]): void {
  const rows = scaleRows(samples);
  const b = rows[0]!;
  console.log('');
  console.log(
    'per-event CPU cost by cluster size (whole 2 h runs, checkpoints on; ratios to the smallest size, one process, interleaved)',
  );
  console.log(
    '  nodes  events/run   us/event  ratio   us/state-change  ratio   same-mix us/event  ratio   (w/o checkpoints)  setup  checkpoints',
  );
  for (const r of rows) {
    console.log(
      `  ${String(r.nodes).padStart(5)}  ${r.eventsPerRun.toFixed(0).padStart(10)}  ${r.usPerEvent.toFixed(1).padStart(9)}  ${(r.usPerEvent / b.usPerEvent).toFixed(2).padStart(5)}x  ${r.usPerStateChange.toFixed(1).padStart(15)}  ${(r.usPerStateChange / b.usPerStateChange).toFixed(2).padStart(5)}x  ${r.usPerEventSameMix.toFixed(1).padStart(17)}  ${(r.usPerEventSameMix / b.usPerEventSameMix).toFixed(2).padStart(5)}x  ${r.usPerEventSameMixNoCheckpoints.toFixed(1).padStart(8)} ${(r.usPerEventSameMixNoCheckpoints / b.usPerEventSameMixNoCheckpoints).toFixed(2).padStart(5)}x  ${(r.setupShare * 100).toFixed(0).padStart(4)} %  ${(r.checkpointShare * 100).toFixed(0).padStart(9)} %`,
    );
  }
  const top = samples[samples.length - 1]!;
  const kinds = [...samples[0]!.kinds.entries()].sort((x, y) => y[1].count - x[1].count);
  console.log(`  per kind (us/event) at ${samples[0]!.nodes} and ${top.nodes} nodes, in the smallest's mix:`);
  for (const [kind, k] of kinds) {
    const t = top.kinds.get(kind);
    const share = (k.count / [...samples[0]!.kinds.values()].reduce((a, x) => a + x.count, 0)) * 100;
    console.log(
      `    ${kind.padEnd(16)} ${share.toFixed(1).padStart(5)} %  ${((k.ms / k.count) * 1000).toFixed(1).padStart(8)}  ${t ? ((t.ms / t.count) * 1000).toFixed(1).padStart(8) : '       -'}`,
    );
  }
  console.log(
    `  (target: same-mix 1,000/5 <= 1.5x; peak resident memory so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB)`,
  );
}

// `node dist/bench/scale.js [MAX_NODES] [ROUNDS]` runs this case alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const max = Number(process.argv[2] ?? 1000);
  const rounds = Number(process.argv[3] ?? 1);
  if (!Number.isInteger(max) || max < 5 || !Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    console.error('bench/scale: MAX_NODES must be a whole number >= 5 and ROUNDS from 1 to 20');
    process.exit(2);
  }
  printScale(
    measureScale(
      SCALE_SIZES.filter((n) => n <= max),
      rounds,
    ),
  );
}

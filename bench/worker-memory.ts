// Memory of a sweep worker over many seeds: does it stay flat? Runs the worker's task (runChunk, the same
// function a piscina thread runs) chunk after chunk on one thread, and prints the V8 heap after a full GC
// at every tenth of the way (at least every 500 seeds), plus the peak RSS.
//   node --expose-gc dist/bench/worker-memory.js [SEEDS=100000] [FILE=scenarios/default.yaml]
import { runChunk } from '../sim/sweep/chunk.js';
import { emptyTally, mergeTallies } from '../sim/sweep/tally.js';

const SEEDS = Number(process.argv[2] ?? 100_000);
const FILE = process.argv[3] ?? 'scenarios/default.yaml';
const CHUNK = 25;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) process.stderr.write('worker-memory: run with node --expose-gc for heap figures after a full GC\n');

const mib = (b: number) => (b / 2 ** 20).toFixed(1);
let tally = emptyTally();
let nextReport = 0;
const t0 = performance.now();
for (let first = 1; first <= SEEDS; first += CHUNK) {
  const seeds = Array.from({ length: Math.min(CHUNK, SEEDS - first + 1) }, (_, i) => first + i);
  // The tally grows with the distinct metric values, as the pool's does; the chunk's state must not.
  tally = mergeTallies(tally, runChunk({ file: FILE, seeds }).tally);
  const done = first + seeds.length - 1;
  if (done >= nextReport || done === SEEDS) {
    gc?.();
    const m = process.memoryUsage();
    const s = (performance.now() - t0) / 1000;
    console.log(
      `${done} seeds: heap ${mib(m.heapUsed)} MiB, rss ${mib(m.rss)} MiB, ${(done / s).toFixed(1)} seeds/s, ${tally.failingRuns} failing`,
    );
    // Every tenth of the way, and at least every 500 seeds so a run cut short still shows the trend.
    nextReport = done + Math.max(CHUNK, Math.min(500, Math.floor(SEEDS / 10)));
  }
}
console.log(`peak rss ${mib(process.resourceUsage().maxRSS * 1024)} MiB over ${SEEDS} seeds`);

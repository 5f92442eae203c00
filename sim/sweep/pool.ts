// Runs a sweep's seeds on worker threads through piscina. The seeds are cut into chunks in order; each
// chunk's tally comes back whenever its worker finishes, and the tallies are added in chunk order (the sum
// is order-independent anyway, sim/sweep/tally.ts), so the result depends on neither the number of workers
// nor the scheduling. Progress is reported per chunk; timing it is the caller's business.
import { Piscina } from 'piscina';
import type { ChunkResult, ChunkTask } from './chunk.js';
import { DEFAULT_CHUNK_SEEDS, MAX_WORKERS } from './limits.js';
import { emptyTally, mergeTallies, type SweepTally } from './tally.js';

export interface PoolOptions {
  workers: number;
  chunkSeeds?: number;
  maxEvents?: number;
  /** After every chunk: seeds done so far (crashed included), failing runs so far, the chunk's result. */
  onChunk?: (done: number, failing: number, chunk: ChunkResult) => void;
}

export function chunkSeeds(seeds: readonly number[], size: number): number[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`chunkSeeds: bad chunk size ${size}`);
  const out: number[][] = [];
  for (let i = 0; i < seeds.length; i += size) out.push(seeds.slice(i, i + size));
  return out;
}

export async function runPool(
  file: string,
  seeds: readonly number[],
  opts: PoolOptions,
): Promise<SweepTally> {
  if (!Number.isInteger(opts.workers) || opts.workers < 1 || opts.workers > MAX_WORKERS) {
    throw new Error(`runPool: workers must be an integer in 1..${MAX_WORKERS}, got ${opts.workers}`);
  }
  // Small sweeps still spread over every worker: at least four chunks per worker when the seeds allow.
  const size =
    opts.chunkSeeds ??
    Math.max(1, Math.min(DEFAULT_CHUNK_SEEDS, Math.ceil(seeds.length / (4 * opts.workers))));
  const chunks = chunkSeeds(seeds, size);
  const pool = new Piscina<ChunkTask, ChunkResult>({
    filename: new URL('./worker.js', import.meta.url).href,
    minThreads: opts.workers,
    maxThreads: opts.workers,
    // Every chunk is queued up front; the queue is bounded by the seed bound (sim/sweep/seeds.ts).
    maxQueue: chunks.length + 1,
  });
  const results: SweepTally[] = new Array(chunks.length);
  let done = 0;
  let failing = 0;
  try {
    await Promise.all(
      chunks.map(async (c, i) => {
        const r = await pool.run({
          file,
          seeds: c,
          ...(opts.maxEvents === undefined ? {} : { maxEvents: opts.maxEvents }),
        });
        results[i] = r.tally;
        done += c.length;
        failing += r.tally.failingRuns;
        opts.onChunk?.(done, failing, r);
      }),
    );
  } finally {
    await pool.destroy();
  }
  return results.reduce(mergeTallies, emptyTally());
}

// One chunk of a sweep: run some seeds of one scenario file in trace-less mode and tally them. This is the
// task a worker thread runs (sim/sweep/worker.ts) and, unchanged, what a test runs in-process. A simulator
// crash is a bug, not a finding: it is kept per seed with its reproduction command and the chunk goes on.
import { getHeapStatistics } from 'node:v8';
import { loadScenarioFile } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { simulate } from '../simulate.js';
import { coverageWatcher } from './coverage.js';
import { reproduceCommand, summarise } from './sweep.js';
import { addRun, emptyTally, type SweepTally } from './tally.js';

export interface ChunkTask {
  /** The scenario file; each worker loads it once. */
  file: string;
  seeds: number[];
  /** Test hook: a hard cap on events per run. */
  maxEvents?: number;
}

export interface ChunkResult {
  tally: SweepTally;
  /** The V8 heap of the thread after the chunk (bytes): timing-like, not part of the result. */
  heapUsedBytes: number;
}

// A worker loads each file once; a sweep has one file, so this holds one entry.
const scenarios = new Map<string, Scenario>();

function scenarioFor(file: string): Scenario {
  let s = scenarios.get(file);
  if (!s) {
    s = loadScenarioFile(file);
    scenarios.set(file, s);
  }
  return s;
}

export function runChunk(task: ChunkTask): ChunkResult {
  const base = scenarioFor(task.file);
  const tally = emptyTally();
  for (const seed of task.seeds) {
    if (!Number.isSafeInteger(seed)) throw new Error(`runChunk: seed ${seed} is not an integer`);
    const s = { ...base, seed };
    const reproduce = reproduceCommand(task.file, seed);
    const watcher = coverageWatcher(s);
    try {
      const r = simulate(s, {
        seed,
        trace: false,
        onEvent: watcher.onEvent,
        ...(task.maxEvents === undefined ? {} : { maxEvents: task.maxEvents }),
      });
      addRun(tally, summarise(r, s, seed), watcher.cells(), reproduce);
    } catch (err) {
      tally.crashes.push({ seed, error: err instanceof Error ? err.message : String(err), reproduce });
    }
  }
  return { tally, heapUsedBytes: getHeapStatistics().used_heap_size };
}

// One chunk of a sweep: run some seeds of one scenario file in trace-less mode and tally them. This is the
// task a worker thread runs (sim/sweep/worker.ts) and, unchanged, what a test runs in-process. A simulator
// crash is a bug, not a finding: it is kept per seed with its reproduction command and the chunk goes on.
import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { loadScenarioFile, parseScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { simulate } from '../simulate.js';
import { fuzzDrawText } from '../testing/fuzz-space.js';
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
const scenarios = new Map<string, { scenario: Scenario; text: string }>();

function scenarioFor(file: string): { scenario: Scenario; text: string } {
  let s = scenarios.get(file);
  if (!s) {
    s = { scenario: loadScenarioFile(file), text: readFileSync(file, 'utf8') };
    scenarios.set(file, s);
  }
  return s;
}

/**
 * The scenario seed N runs. With a `fuzz:` block the seed also draws the fault schedule from that space
 * (sim/testing/fuzz-space.ts), a pure function of (file, seed), so the result still does not depend on the
 * workers; `upgradelab fuzz FILE --draw N` writes that scenario for `upgradelab run`.
 */
function seedScenario(file: string, seed: number): { s: Scenario; reproduce: string } {
  const { scenario, text } = scenarioFor(file);
  if (!scenario.fuzz) return { s: { ...scenario, seed }, reproduce: reproduceCommand(file, seed) };
  const drawn = file.replace(/(\.ya?ml)?$/, `.draw-${seed}.yaml`);
  return {
    s: parseScenario(fuzzDrawText(text, scenario, seed), file),
    reproduce: `upgradelab fuzz ${shellWord(file)} --draw ${seed} --out ${shellWord(drawn)} && upgradelab run ${shellWord(drawn)}`,
  };
}

function shellWord(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export function runChunk(task: ChunkTask): ChunkResult {
  const tally = emptyTally();
  for (const seed of task.seeds) {
    if (!Number.isSafeInteger(seed)) throw new Error(`runChunk: seed ${seed} is not an integer`);
    const { s, reproduce } = seedScenario(task.file, seed);
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

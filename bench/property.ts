// The property kit's speed (issue 7, "Must show"), each figure beside a baseline measured in the same run:
//   property/3+2     runs/s of a fast-check property over scenarios/default.yaml (3 control planes, 2
//                    workers) with one-at-a-time power losses and isolations drawn by the kit
//                    (upgradelab/testing's faultSchedule + checkScenario's property); baseline: a plain
//                    simulate of the same scenario the way the property runs it (no faults drawn).
//   canary/<bug>     for each planted bug of test/property/canaries.ts: how long its property takes to
//                    find the first failure (runs, ms) and to shrink it (steps, ms, bounded at 15 s as in
//                    the canary tests), and that shrink time in runs of the failing world itself.
// The two canaries that need `vi.mock` (quorum excuse ignored, boot-once fault not used up) replace a
// plain function at module level and cannot be planted outside vitest; they are left out here.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { clusterNames } from '../sim/testing/cluster.js';
import { runScenarioText } from '../sim/testing/counterexample.js';
import { faultSchedule } from '../sim/testing/fault-schedule.js';
import { assertHolds, ScenarioPropertyError } from '../sim/testing/property.js';
import { CANARIES } from '../test/property/canaries.js';
import { PROPERTIES, PROPERTY_SEED, checkWorld, propertyOf } from '../test/property/properties.js';
import type { WorldDraw } from '../test/property/world.js';

/** As in test/property/canary-check.ts: past this, the smallest failing case so far is the answer. */
const SHRINK_TIME_LIMIT_MS = 15_000;
const DEFAULT_FILE = 'scenarios/default.yaml';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

export interface PropertyBenchResult {
  plainRunsPerSec: number;
  propertyRunsPerSec: number;
  /** Property runs (of all repeats) whose drawn faults broke an invariant (counted, not shrunk). */
  propertyFailingRuns: number;
  canaries: {
    bug: string;
    property: string;
    findRuns: number;
    findMs: number;
    shrinkSteps: number;
    shrinkMs: number;
    shrinkInterrupted: boolean;
    shrunkFaults: number;
    failingRunMs: number;
  }[];
}

/** Measure and print; `repeat` runs of each throughput case (median), `runs` property runs per repeat. */
export function runPropertyBench(repeat: number, runs = 20): PropertyBenchResult {
  process.stderr.write(`bench property: ${repeat} x ${runs} property runs on ${DEFAULT_FILE}, 5 canaries\n`);
  const text = readFileSync(DEFAULT_FILE, 'utf8');
  const s = loadScenarioFile(DEFAULT_FILE);
  const invariants = s.invariants;
  const { cp, w } = clusterNames(3, 2);
  const arb = faultSchedule({
    nodes: [...cp, ...w],
    controlPlanes: cp,
    kinds: ['powerLoss', 'isolate'],
    fromMs: 5 * 60_000,
    untilMs: 40 * 60_000,
    maxConcurrent: 1,
    maxFaults: 4,
  }).map((faults) => ({ faults }));

  // Warm-up (JIT) of both paths, then alternate so a burst of load hits both alike.
  runScenarioText(text, DEFAULT_FILE);
  const plainPerSec: number[] = [];
  const propPerSec: number[] = [];
  let failing = 0;
  for (let i = 0; i < repeat; i++) {
    const plain = timed(() => {
      for (let k = 0; k < runs; k++) runScenarioText(text, DEFAULT_FILE);
    });
    plainPerSec.push((runs / plain.ms) * 1000);
    // talosctl on 3 control planes does lose quorum under some drawn faults (one down for its upgrade
    // plus one fault); a failing case is counted, not shrunk, so every measure makes all its runs.
    const prop = timed(() =>
      fc.check(
        fc.property(arb, (draw) => {
          try {
            assertHolds(text, draw, invariants);
          } catch (err) {
            if (!(err instanceof ScenarioPropertyError)) throw err;
            failing++;
          }
        }),
        { seed: i + 1, numRuns: runs },
      ),
    );
    if (prop.value.failed) throw prop.value.errorInstance;
    propPerSec.push((prop.value.numRuns / prop.ms) * 1000);
  }
  const result: PropertyBenchResult = {
    plainRunsPerSec: median(plainPerSec),
    propertyRunsPerSec: median(propPerSec),
    propertyFailingRuns: failing,
    canaries: [],
  };

  for (const c of CANARIES) {
    const property = propertyOf(PROPERTIES[c.property]!, c.hooks, c.policy);
    const find = timed(() =>
      fc.check(property, { seed: PROPERTY_SEED, numRuns: c.caughtWithinRuns, endOnFailure: true }),
    );
    if (!find.value.failed) throw new Error(`bench property: canary '${c.bug}' was not caught`);
    const shrink = timed(() =>
      fc.check(property, {
        seed: PROPERTY_SEED,
        path: find.value.counterexamplePath!,
        interruptAfterTimeLimit: SHRINK_TIME_LIMIT_MS,
        markInterruptAsFailure: false,
      }),
    );
    const [draw] = shrink.value.counterexample as [WorldDraw];
    // One run of the shrunk failing world, to say what the shrink cost in runs.
    const one = timed(() => {
      try {
        checkWorld(PROPERTIES[c.property]!, draw, c.hooks);
      } catch {
        // Expected: it is the counterexample.
      }
    });
    const row = {
      bug: c.bug,
      property: c.property,
      findRuns: find.value.numRuns,
      findMs: find.ms,
      shrinkSteps: shrink.value.numShrinks,
      shrinkMs: shrink.ms,
      shrinkInterrupted: shrink.value.interrupted,
      shrunkFaults: draw.faults.length,
      failingRunMs: one.ms,
    };
    process.stderr.write(`  measured canary/${c.bug}: shrink ${row.shrinkMs.toFixed(0)} ms\n`);
    result.canaries.push(row);
  }
  printPropertyBench(result, runs);
  return result;
}

function printPropertyBench(r: PropertyBenchResult, runs: number): void {
  console.log('');
  console.log(
    `property kit on ${DEFAULT_FILE} (3+2), ${runs} runs per measure: property ${r.propertyRunsPerSec.toFixed(1)} runs/s, ` +
      `plain simulate ${r.plainRunsPerSec.toFixed(1)} runs/s (property/plain ${(r.propertyRunsPerSec / r.plainRunsPerSec).toFixed(2)}); ` +
      `${r.propertyFailingRuns} drawn cases broke an invariant (counted, not shrunk)`,
  );
  console.log(
    'canary                            property          find runs  find ms  shrink steps  shrink ms  faults  = runs of the failing world',
  );
  for (const c of r.canaries) {
    console.log(
      `${c.bug.padEnd(33)} ${c.property.padEnd(17)} ${String(c.findRuns).padStart(9)} ${c.findMs.toFixed(0).padStart(8)} ` +
        `${String(c.shrinkSteps).padStart(13)} ${(c.shrinkMs.toFixed(0) + (c.shrinkInterrupted ? '*' : '')).padStart(10)} ` +
        `${String(c.shrunkFaults).padStart(7)}  ${(c.shrinkMs / Math.max(c.failingRunMs, 1e-3)).toFixed(0)}`,
    );
  }
  if (r.canaries.some((c) => c.shrinkInterrupted))
    console.log(`* shrinking stopped at its ${SHRINK_TIME_LIMIT_MS / 1000} s bound (as in the canary tests)`);
}

// `node dist/bench/property.js [REPEAT]` runs this part alone; `npm run bench` runs it last.
if (process.argv[1]?.endsWith('/bench/property.js')) {
  const repeat = Number(process.argv[2] ?? 3);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100) {
    console.error(`bench property: REPEAT must be a whole number from 1 to 100, not ${process.argv[2]}`);
    process.exit(2);
  }
  runPropertyBench(repeat);
}

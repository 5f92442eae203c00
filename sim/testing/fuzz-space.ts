// A scenario's own fault space (its `fuzz:` block) as a fast-check arbitrary, and one draw from it per
// seed. `upgradelab fuzz` explores the space with fast-check; `upgradelab sweep` of a scenario with a
// `fuzz:` block runs one draw per seed (the seed picks both the schedule and the run's own streams), and
// `upgradelab fuzz FILE --draw N` writes draw N as a scenario file that `upgradelab run` replays exactly.
import fc from 'fast-check';
import type { FuzzSpec } from '../scenario/fuzz.js';
import type { Scenario } from '../scenario/types.js';
import { scenarioText } from './counterexample.js';
import { faultSchedule, type FaultEntry } from './fault-schedule.js';

/** The arbitrary of a scenario's own fault space. */
export function fuzzArbitrary(s: Scenario, fuzz: FuzzSpec): fc.Arbitrary<FaultEntry[]> {
  const cps = s.cluster.nodes.filter((n) => n.role === 'controlplane').map((n) => n.name);
  return faultSchedule({
    nodes: fuzz.nodes,
    controlPlanes: cps.filter((n) => fuzz.nodes.includes(n)),
    kinds: fuzz.kinds,
    fromMs: fuzz.fromMs,
    untilMs: fuzz.untilMs,
    maxConcurrent: fuzz.maxConcurrent,
    maxFaults: fuzz.budget,
    durationMs: { min: Math.max(1_000, fuzz.durationMs.minMs), max: Math.max(1_000, fuzz.durationMs.maxMs) },
    ...(s.upgrade ? { failedBoot: { version: s.upgrade.to, stages: fuzz.stages } } : {}),
  });
}

/**
 * Draw `seed` of a fuzz scenario: its text with `seed: N` and the schedule fast-check draws from the fault
 * space with that seed in place of its `faults:`. A pure function of (file text, seed): what a sweep runs
 * for seed N does not depend on the worker, the chunk or the other seeds.
 */
export function fuzzDrawText(baseText: string, s: Scenario, seed: number): string {
  if (!s.fuzz) throw new Error(`fuzzDrawText: ${s.file} has no fuzz: block`);
  if (!Number.isSafeInteger(seed)) throw new Error(`fuzzDrawText: seed ${seed} is not an integer`);
  const [faults] = fc.sample(fuzzArbitrary(s, s.fuzz), { seed, numRuns: 1 });
  return scenarioText(
    baseText,
    { faults: faults!, seed },
    `Draw ${seed} of the fuzz: block (upgradelab fuzz --draw ${seed}): seed and faults set by the draw.`,
  );
}

// Fixture traces for the viewer's tests, produced by the simulator from bundled scenario files (so they
// follow the real trace format and change with it), cached per process.
import { loadScenarioFile } from '../../sim/scenario/load.js';
import { simulate } from '../../sim/simulate.js';

const cache = new Map<string, string>();

/** The trace text of a bundled scenario run with its own seed. */
export function fixtureTrace(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    const r = simulate(loadScenarioFile(file));
    if (r.trace === null) throw new Error(`fixtureTrace: ${file} produced no trace text`);
    text = r.trace;
    cache.set(file, text);
  }
  return text;
}

/** A regression scenario with a quorum violation and a power-loss fault (FACTS §5). */
export const WITH_VIOLATION = 'scenarios/power-loss-costs-quorum.yaml';
/** A failed boot reverted to the previous slot (FACTS §2), with a fault span. */
export const WITH_REVERT = 'scenarios/failed-boot-rollback.yaml';
/** A learner stuck behind the learner limit (FACTS §4), a crash loop and a violation. */
export const WITH_LEARNERS = 'scenarios/regression/t9789-permanently-removed.yaml';

// Fixture traces for the viewer's tests, produced by the simulator from bundled scenario files (so they
// follow the real trace format and change with it), cached per process.
import { loadScenarioFile } from '../../sim/scenario/load.js';
import { simulate } from '../../sim/simulate.js';

const cache = new Map<string, string>();

/**
 * The trace text of a bundled scenario run with its own seed; `writes: 'each'` asks for one etcd.write
 * line per workload write (workload.trace: each) instead of batched etcd.commit lines.
 */
export function fixtureTrace(file: string, writes: 'batch' | 'each' = 'batch'): string {
  const key = `${file}#${writes}`;
  let text = cache.get(key);
  if (text === undefined) {
    const s = loadScenarioFile(file);
    const r = simulate({ ...s, workload: { ...s.workload, trace: writes } });
    if (r.trace === null) throw new Error(`fixtureTrace: ${file} produced no trace text`);
    text = r.trace;
    cache.set(key, text);
  }
  return text;
}

/** A regression scenario with a quorum violation and a power-loss fault (FACTS §5). */
export const WITH_VIOLATION = 'scenarios/power-loss-costs-quorum.yaml';
/** A failed boot reverted to the previous slot (FACTS §2), with a fault span. */
export const WITH_REVERT = 'scenarios/failed-boot-rollback.yaml';
/** A learner stuck behind the learner limit (FACTS §4), a crash loop and a violation. */
export const WITH_LEARNERS = 'scenarios/regression/t9789-permanently-removed.yaml';

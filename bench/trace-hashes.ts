// node dist/bench/trace-hashes.js [each]: one line per bundled scenario (the regression library, the
// default scenario with three seeds, the two examples) with the SHA-256 of its whole trace, its event
// count and its results. A refactoring that promises byte-identical traces (issue 8: the split of
// simulate) is checked by diffing this output before and after; `each` runs with per-write events.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { simulate } from '../sim/simulate.js';

const each = process.argv[2] === 'each';
const files = [
  ...readdirSync('scenarios/regression')
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `scenarios/regression/${f}`),
  'scenarios/default.yaml',
  'scenarios/failed-boot-rollback.yaml',
  'scenarios/power-loss-costs-quorum.yaml',
];
for (const f of files) {
  const loaded = loadScenarioFile(f);
  const s = each ? { ...loaded, workload: { ...loaded.workload, trace: 'each' as const } } : loaded;
  const seeds = f.endsWith('default.yaml') ? [s.seed, 2, 3] : [s.seed];
  for (const seed of seeds) {
    const r = simulate(s, { seed });
    const hash = createHash('sha256')
      .update(r.trace ?? '')
      .digest('hex')
      .slice(0, 16);
    const { events, ...m } = r.metrics;
    const violations = r.violations.map((v) => [v.t, v.invariant, v.nodes]);
    process.stdout.write(
      `${f} ${String(seed)} ${hash} ${events} ${JSON.stringify(m)} ${JSON.stringify(violations)}\n`,
    );
  }
}

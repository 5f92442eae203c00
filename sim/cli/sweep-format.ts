// The text form of a sweep report (sim/sweep/tally.ts): rates with their Wilson intervals, safety and
// liveness apart, the metric distributions, the coverage matrix and the failing seeds with their commands.
import { formatProportion } from '../sweep/stats.js';
import { coverageKey } from '../sweep/coverage.js';
import type { Distribution, SweepReport } from '../sweep/tally.js';

export function fmtMs(ms: number | null): string {
  if (ms === null) return '-';
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

function dist(d: Distribution, f: (v: number | null) => string): string {
  return d.n === 0 ? 'no values' : `p50 ${f(d.p50)}, p95 ${f(d.p95)}, max ${f(d.max)} (${d.n} seeds)`;
}

export const FAILURES_SHOWN = 20;

export function formatSweep(r: SweepReport): string[] {
  const shard = r.seeds.shard ? ` (shard ${r.seeds.shard.index}/${r.seeds.shard.count})` : '';
  const lines = [`sweep ${r.scenario} (${r.file}), seeds ${r.seeds.range}${shard}: ${r.seeds.count} seeds`];
  if (r.timing)
    lines.push(
      `ran in ${(r.timing.wallMs / 1000).toFixed(1)} s on ${r.timing.workers} worker(s): ${r.timing.seedsPerSecond.toFixed(1)} seeds/s; largest worker heap ${(r.timing.workerHeapMaxBytes / 2 ** 20).toFixed(0)} MiB`,
    );
  lines.push(`runs: ${r.runs}, crashed: ${r.crashed}`);
  for (const kind of ['safety', 'liveness'] as const) {
    lines.push(`${kind} (share of runs violating, 95 % Wilson interval):`);
    for (const i of r.invariants.filter((x) => x.kind === kind))
      lines.push(
        `  ${i.invariant.padEnd(16)} ${`${i.rate.k}/${i.rate.n}`.padStart(12)}  ${formatProportion(i.rate, 2)}`,
      );
    const any = kind === 'safety' ? r.safety : r.liveness;
    lines.push(`  ${'any'.padEnd(16)} ${`${any.k}/${any.n}`.padStart(12)}  ${formatProportion(any, 2)}`);
  }
  const d = r.distributions;
  lines.push(
    `upgrade duration: ${dist(d.upgradeDurationMs, fmtMs)}; unfinished in ${d.upgradeDurationMs.unfinished}`,
  );
  lines.push(`time without quorum: ${dist(d.timeWithoutQuorumMs, fmtMs)}; runs with any: ${r.noQuorum.k}`);
  lines.push(`writes lost: ${dist(d.writesLost, (v) => String(v))}`);
  lines.push(...formatCoverage(r));
  if (r.tally.failures.length > 0) {
    lines.push(
      `failing seeds (${Math.min(FAILURES_SHOWN, r.tally.failures.length)} of ${r.tally.failures.length}):`,
    );
    for (const f of r.tally.failures.slice(0, FAILURES_SHOWN)) {
      lines.push(`  seed ${f.seed}: ${f.message}`);
      lines.push(`    ${f.reproduce}`);
    }
  }
  if (r.tally.crashes.length > 0) {
    lines.push(`simulator crashes (${r.tally.crashes.length}; bugs, please report):`);
    for (const c of r.tally.crashes.slice(0, FAILURES_SHOWN))
      lines.push(`  seed ${c.seed}: ${c.error}`, `    ${c.reproduce}`);
  }
  return lines;
}

/** Rows role/phase, columns fault kinds; `.` marks a cell no run ever hit. */
export function formatCoverage(r: SweepReport): string[] {
  const c = r.coverage;
  if (c.faults.length === 0) return ['coverage: the scenario injects no faults'];
  const runs = new Map(c.cells.map((x) => [coverageKey(x.role, x.phase, x.fault), x.runs]));
  const rowLabels = c.roles.flatMap((role) => c.phases.map((phase) => ({ role, phase })));
  const labelWidth = Math.max(...rowLabels.map((x) => x.role.length + x.phase.length + 1), 10);
  const widths = c.faults.map((f) => Math.max(f.length, 6));
  const lines = [
    'coverage (runs in which a fault of that kind hit a node of that role in that upgrade phase; . = never):',
  ];
  lines.push(
    `  ${'role/phase'.padEnd(labelWidth)}  ${c.faults.map((f, i) => f.padStart(widths[i]!)).join('  ')}`,
  );
  for (const { role, phase } of rowLabels) {
    const cells = c.faults.map((f, i) =>
      String(runs.get(coverageKey(role, phase, f)) ?? '.').padStart(widths[i]!),
    );
    // Rows of roles the sweep never touched at all (e.g. `cluster` without partitions) are left out.
    if (role !== 'controlplane' && role !== 'worker' && cells.every((x) => x.trim() === '.')) continue;
    lines.push(`  ${`${role}/${phase}`.padEnd(labelWidth)}  ${cells.join('  ')}`);
  }
  return lines;
}

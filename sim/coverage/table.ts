// The model-coverage report as text: per machine a summary line, a state x hits table, a transition x
// hits table, and the never-visited states and transitions listed again at the end where they are easy
// to find (they are what a fuzz block or a property should be taught to reach).
import type { CoverageReport, MachineCoverage } from './model-coverage.js';

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`;
}

function table(rows: readonly [string, number][], head: string): string[] {
  const width = Math.max(head.length, ...rows.map(([k]) => k.length));
  const hitsWidth = Math.max(4, ...rows.map(([, h]) => String(h).length));
  return [
    `  ${head.padEnd(width)}  ${'hits'.padStart(hitsWidth)}`,
    ...rows.map(([k, h]) => `  ${k.padEnd(width)}  ${String(h).padStart(hitsWidth)}`),
  ];
}

/** One line per machine: states and transitions visited out of all. */
export function coverageSummary(m: MachineCoverage): string {
  const sv = m.states.length - m.unvisitedStates.length;
  const tv = m.transitions.length - m.unvisitedTransitions.length;
  return (
    `${m.machine}: states ${sv}/${m.states.length} (${percent(sv, m.states.length)}), ` +
    `transitions ${tv}/${m.transitions.length} (${percent(tv, m.transitions.length)})`
  );
}

/** The full report; `tables: false` prints the summaries and the never-visited lists only. */
export function formatCoverage(r: CoverageReport, opts: { tables?: boolean } = {}): string {
  const out: string[] = [`model coverage over ${r.runs} run(s)`];
  for (const m of r.machines) {
    out.push('', coverageSummary(m));
    if (opts.tables !== false) {
      out.push(
        ...table(
          m.states.map((s) => [s.id, s.hits]),
          'state',
        ),
      );
      out.push(
        ...table(
          m.transitions.map((t) => [t.key, t.hits]),
          'transition',
        ),
      );
    }
    out.push(`  never visited states (${m.unvisitedStates.length}):`);
    out.push(...m.unvisitedStates.map((s) => `    ${s}`));
    out.push(`  never taken transitions (${m.unvisitedTransitions.length}):`);
    out.push(...m.unvisitedTransitions.map((t) => `    ${t}`));
    if (m.undefinedTransitions.length > 0) {
      out.push(`  taken but not in the definition (${m.undefinedTransitions.length}):`);
      out.push(...m.undefinedTransitions.map((t) => `    ${t}`));
    }
  }
  return `${out.join('\n')}\n`;
}

// The result of a sweep in two layers. A `SweepTally` holds raw counts only (runs per invariant, exact
// histograms of the per-seed metrics, coverage cells, the failing seeds), so that tallies of any split of
// the seeds add up to the tally of the whole: per chunk on worker threads, per shard on other machines
// (`upgradelab merge`). The `SweepReport` is derived from a tally alone (rates with Wilson intervals,
// percentiles), so a merged sweep reports exactly what one unsharded run reports, whatever the number of
// workers, the order chunks finished in, or the shards. Wall-clock facts live in `timing`, apart.
import { CODE_VERSION } from '../version.js';
import { wilson, type Proportion } from './stats.js';
import { coverageKey, splitCoverageKey } from './coverage.js';
import type { SeedRange, Shard } from './seeds.js';
import type { RunSummary, SweepCrash, SweepFailure } from './sweep.js';

/** value -> how many seeds had it. Keys are integers, so JSON keeps them in numeric order. */
export type Histogram = Record<string, number>;

export interface SweepTally {
  /** Runs that finished (crashes apart). */
  runs: number;
  /** Runs violating each invariant (keys: every checked invariant, plus convergence if it was reported). */
  violated: Record<string, number>;
  safetyRuns: number;
  livenessRuns: number;
  failingRuns: number;
  noQuorumRuns: number;
  /** Upgrade duration of runs whose upgrade finished; `upgradeUnfinished` counts the others. */
  upgradeDurationMs: Histogram;
  upgradeUnfinished: number;
  timeWithoutQuorumMs: Histogram;
  writesLost: Histogram;
  /** coverageKey(role, phase, fault) -> runs that hit it at least once. */
  coverage: Record<string, number>;
  failures: SweepFailure[];
  crashes: SweepCrash[];
}

export function emptyTally(): SweepTally {
  return {
    runs: 0,
    violated: {},
    safetyRuns: 0,
    livenessRuns: 0,
    failingRuns: 0,
    noQuorumRuns: 0,
    upgradeDurationMs: {},
    upgradeUnfinished: 0,
    timeWithoutQuorumMs: {},
    writesLost: {},
    coverage: {},
    failures: [],
    crashes: [],
  };
}

function bump(h: Record<string, number>, key: string | number, by = 1): void {
  h[key] = (h[key] ?? 0) + by;
}

/** Adds one finished run. */
export function addRun(t: SweepTally, r: RunSummary, cells: Iterable<string>, reproduce: string): void {
  t.runs++;
  for (const name of r.violated) bump(t.violated, name);
  if (r.safety) t.safetyRuns++;
  if (r.liveness) t.livenessRuns++;
  if (r.metrics.timeWithoutQuorumMs > 0) t.noQuorumRuns++;
  if (r.metrics.upgradeDurationMs === null) t.upgradeUnfinished++;
  else bump(t.upgradeDurationMs, r.metrics.upgradeDurationMs);
  bump(t.timeWithoutQuorumMs, r.metrics.timeWithoutQuorumMs);
  bump(t.writesLost, r.metrics.writesLost);
  for (const c of cells) bump(t.coverage, c);
  if (r.violated.length > 0 || r.safety || r.liveness) {
    t.failingRuns++;
    t.failures.push({
      seed: r.seed,
      violated: r.violated,
      safety: r.safety,
      liveness: r.liveness,
      message: r.first ? `${r.first.invariant}: ${r.first.message}` : '',
      reproduce,
    });
  }
}

/** a + b, as a new tally; commutative and associative, so the split of the seeds does not matter. */
export function mergeTallies(a: SweepTally, b: SweepTally): SweepTally {
  const sum = (x: Record<string, number>, y: Record<string, number>) => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) bump(out, k, v);
    return out;
  };
  const bySeed = <T extends { seed: number }>(xs: T[]) => xs.sort((p, q) => p.seed - q.seed);
  return {
    runs: a.runs + b.runs,
    violated: sum(a.violated, b.violated),
    safetyRuns: a.safetyRuns + b.safetyRuns,
    livenessRuns: a.livenessRuns + b.livenessRuns,
    failingRuns: a.failingRuns + b.failingRuns,
    noQuorumRuns: a.noQuorumRuns + b.noQuorumRuns,
    upgradeDurationMs: sum(a.upgradeDurationMs, b.upgradeDurationMs),
    upgradeUnfinished: a.upgradeUnfinished + b.upgradeUnfinished,
    timeWithoutQuorumMs: sum(a.timeWithoutQuorumMs, b.timeWithoutQuorumMs),
    writesLost: sum(a.writesLost, b.writesLost),
    coverage: sum(a.coverage, b.coverage),
    failures: bySeed([...a.failures, ...b.failures]),
    crashes: bySeed([...a.crashes, ...b.crashes]),
  };
}

/** The same tally with every map's keys in a canonical order (JSON output is then byte-stable). */
export function canonicalTally(t: SweepTally): SweepTally {
  const sorted = (h: Record<string, number>) =>
    Object.fromEntries(Object.entries(h).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)));
  const numeric = (h: Histogram) =>
    Object.fromEntries(Object.entries(h).sort(([p], [q]) => Number(p) - Number(q)));
  return {
    ...t,
    violated: sorted(t.violated),
    upgradeDurationMs: numeric(t.upgradeDurationMs),
    timeWithoutQuorumMs: numeric(t.timeWithoutQuorumMs),
    writesLost: numeric(t.writesLost),
    coverage: sorted(t.coverage),
    failures: [...t.failures].sort((p, q) => p.seed - q.seed),
    crashes: [...t.crashes].sort((p, q) => p.seed - q.seed),
  };
}

export interface Distribution {
  /** Seeds that have a value. */
  n: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/** Nearest-rank percentiles of an exact histogram (the smallest value with at least q of the mass). */
export function distribution(h: Histogram): Distribution {
  const entries = Object.entries(h)
    .map(([k, v]) => [Number(k), v] as const)
    .sort((p, q) => p[0] - q[0]);
  const n = entries.reduce((acc, [, v]) => acc + v, 0);
  if (n === 0) return { n, p50: null, p95: null, max: null };
  const at = (q: number) => {
    const rank = Math.max(1, Math.ceil(q * n));
    let seen = 0;
    for (const [value, count] of entries) {
      seen += count;
      if (seen >= rank) return value;
    }
    throw new Error('distribution: rank beyond the histogram'); // unreachable: rank <= n
  };
  return { n, p50: at(0.5), p95: at(0.95), max: entries[entries.length - 1]![0] };
}

export interface InvariantRate {
  invariant: string;
  kind: 'safety' | 'liveness';
  rate: Proportion;
}

export interface CoverageMatrix {
  roles: string[];
  phases: string[];
  faults: string[];
  /** Every cell of roles x phases x faults that was hit, with the runs that hit it; absent cells: 0 runs. */
  cells: { role: string; phase: string; fault: string; runs: number }[];
}

export interface SweepTiming {
  wallMs: number;
  seedsPerSecond: number;
  workers: number;
  /** The largest V8 heap any worker reported after a chunk (bytes); flat over a sweep means no leak. */
  workerHeapMaxBytes: number;
}

export const SWEEP_FORMAT = 'upgradelab-sweep';
export const SWEEP_VERSION = 1;

export interface SweepReport {
  format: typeof SWEEP_FORMAT;
  version: typeof SWEEP_VERSION;
  scenario: string;
  file: string;
  codeVersion: string;
  seeds: { range: string; shard: Shard | null; count: number };
  /** The scenario's checked invariants and declared fault kinds: what `merge` needs to rebuild a report. */
  checked: { name: string; liveness: boolean }[];
  faultKinds: string[];
  runs: number;
  crashed: number;
  /** Per invariant, the share of runs violating it (Wilson 95 %), safety and liveness apart. */
  invariants: InvariantRate[];
  safety: Proportion;
  liveness: Proportion;
  failing: Proportion;
  noQuorum: Proportion;
  distributions: {
    upgradeDurationMs: Distribution & { unfinished: number };
    timeWithoutQuorumMs: Distribution;
    writesLost: Distribution;
  };
  coverage: CoverageMatrix;
  /** The raw counts everything above is derived from; `merge` adds these. */
  tally: SweepTally;
  timing: SweepTiming | null;
}

export interface ReportContext {
  scenario: string;
  file: string;
  range: SeedRange;
  shard: Shard | null;
  /** Seeds in this slice (runs + crashes once complete). */
  count: number;
  /** Checked invariants in the scenario's order, with their kind. */
  invariants: { name: string; liveness: boolean }[];
  /** Fault kinds the scenario declares (shown even when never hit). */
  faultKinds: string[];
  /** Upgrade phases in display order. */
  phases: readonly string[];
}

export function buildReport(ctx: ReportContext, raw: SweepTally, timing: SweepTiming | null): SweepReport {
  const t = canonicalTally(raw);
  const n = t.runs;
  const rate = (k: number) => wilson(k, n);
  const invariants: InvariantRate[] = ctx.invariants.map((inv) => ({
    invariant: inv.name,
    kind: inv.liveness ? 'liveness' : 'safety',
    rate: rate(t.violated[inv.name] ?? 0),
  }));
  // A run that never formed a cluster reports convergence even when the scenario did not ask for it.
  for (const name of Object.keys(t.violated)) {
    if (!ctx.invariants.some((i) => i.name === name))
      invariants.push({ invariant: name, kind: 'liveness', rate: rate(t.violated[name]!) });
  }
  const cells = Object.entries(t.coverage).map(([k, runs]) => ({ ...splitCoverageKey(k), runs }));
  const roles = ['controlplane', 'worker', ...cells.map((c) => c.role)];
  const phases = [...ctx.phases, ...cells.map((c) => c.phase)];
  const faults = [...ctx.faultKinds, ...cells.map((c) => c.fault)].sort();
  return {
    format: SWEEP_FORMAT,
    version: SWEEP_VERSION,
    scenario: ctx.scenario,
    file: ctx.file,
    codeVersion: CODE_VERSION,
    seeds: { range: `${ctx.range.first}..${ctx.range.last}`, shard: ctx.shard, count: ctx.count },
    checked: ctx.invariants,
    faultKinds: ctx.faultKinds,
    runs: n,
    crashed: t.crashes.length,
    invariants,
    safety: rate(t.safetyRuns),
    liveness: rate(t.livenessRuns),
    failing: rate(t.failingRuns),
    noQuorum: rate(t.noQuorumRuns),
    distributions: {
      upgradeDurationMs: { ...distribution(t.upgradeDurationMs), unfinished: t.upgradeUnfinished },
      timeWithoutQuorumMs: distribution(t.timeWithoutQuorumMs),
      writesLost: distribution(t.writesLost),
    },
    coverage: {
      roles: [...new Set(roles)],
      phases: [...new Set(phases)],
      faults: [...new Set(faults)],
      cells: cells.sort((p, q) =>
        coverageKey(p.role, p.phase, p.fault) < coverageKey(q.role, q.phase, q.fault) ? -1 : 1,
      ),
    },
    tally: t,
    timing,
  };
}

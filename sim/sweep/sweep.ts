// A seed sweep: run one scenario over many seeds and count, per invariant, how many runs violated it.
// Safety violations and liveness failures (`convergence`, `liveness: true`) are counted apart, as
// TigerBeetle's VOPR reports them (F§7): a cluster that stalls is a different finding from one that lost
// data. Every failing seed carries the command that reproduces it (STYLE.md habit 4). A simulator crash is
// a bug, not a finding: it is caught per seed, kept with its reproduction command, and the sweep goes on.
//
// Deterministic like a run: the result is a pure function of (base, seeds, mutate, code version). A change
// drawn per seed (a fault moment, a node) must come from a seeded stream, see `sweepStream`. This module
// reads no clock; progress reporting with rates belongs to the calling script (`onProgress`).
import { Rng, type Stream } from '../engine/rng.js';
import type { InvariantName, Scenario } from '../scenario/types.js';
import { simulate, type RecordedViolation, type SimulateResult } from '../simulate.js';
import type { RunMetrics } from '../trace/types.js';

/** The stream a sweep draws its per-seed changes from; independent of the run's own streams (rng.ts). */
export function sweepStream(seed: number, name = 'sweep'): Stream {
  return new Rng(seed).stream(name);
}

/** `upgradelab run FILE --seed N`, quoted for a POSIX shell. */
export function reproduceCommand(file: string, seed: number | string): string {
  const q = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return `upgradelab run ${q(file)} --seed ${q(String(seed))}`;
}

/** What one run of a sweep keeps: enough to count, classify and reproduce, not the trace. */
export interface RunSummary {
  seed: number;
  /** Distinct invariants violated, in the scenario's order. */
  violated: InvariantName[];
  safety: boolean;
  liveness: boolean;
  /** The first violation (safety first, then liveness), for the failing-seed list. */
  first: RecordedViolation | null;
  metrics: RunMetrics;
  final: SimulateResult['final'];
  halted: boolean;
}

export interface SweepFailure {
  seed: number;
  violated: InvariantName[];
  liveness: boolean;
  safety: boolean;
  message: string;
  reproduce: string;
}

export interface SweepCrash {
  seed: number;
  error: string;
  reproduce: string;
}

export interface SweepResult {
  scenario: string;
  runs: number;
  /** The invariants the scenario checks. */
  checked: InvariantName[];
  /** Runs (not episodes) violating each checked invariant. */
  violations: Record<string, number>;
  /** Runs with at least one safety violation / liveness failure / either. */
  safetyRuns: number;
  livenessRuns: number;
  failingRuns: number;
  /** Runs in which etcd had no leader for any time at all (metrics.timeWithoutQuorumMs > 0). */
  noQuorumRuns: number;
  failures: SweepFailure[];
  crashes: SweepCrash[];
}

export interface SweepOptions {
  /** The file the reproduction command names for a seed (default: the base scenario's file). A sweep
   *  with a seed-dependent `mutate` must say where the caller writes the changed scenario. */
  reproFile?: (seed: number) => string;
  /** Called after each run with its summary and the (mutated) scenario it ran. */
  onRun?: (summary: RunSummary, scenario: Scenario) => void;
  /** Called after each run: done of total. The caller may time it; this module must not. */
  onProgress?: (done: number, total: number) => void;
  /** Hard cap on events per run (simulate's default otherwise). */
  maxEvents?: number;
}

/** Progress of a long computation: label, done of total. Callers time it; sim/ reads no clock. */
export type Progress = (label: string, done: number, total: number) => void;

/** One run in trace-less mode (nothing serialised or hashed): the fast path for sweeps. Its metrics equal
 *  those of `upgradelab run FILE --seed N`, the command a failing seed prints. */
export function runSummary(s: Scenario, seed: number, maxEvents?: number): RunSummary {
  const r = simulate(s, {
    seed,
    trace: false,
    ...(maxEvents === undefined ? {} : { maxEvents }),
  });
  return summarise(r, s, seed);
}

export function summarise(r: SimulateResult, s: Scenario, seed: number): RunSummary {
  const names = new Set(r.violations.map((v) => v.invariant));
  const violated = s.invariants.filter((n) => names.has(n));
  // simulate() may report a convergence failure ("the cluster never formed") even if not asked for it.
  if (names.has('convergence') && !violated.includes('convergence')) violated.push('convergence');
  const safety = r.violations.some((v) => !v.liveness);
  const liveness = r.violations.some((v) => v.liveness);
  const first = r.violations.find((v) => !v.liveness) ?? r.violations[0] ?? null;
  return {
    seed,
    violated,
    safety,
    liveness,
    first,
    metrics: r.metrics,
    final: r.final,
    halted: r.orchestrator?.halted ?? false,
  };
}

/**
 * Run `base` once per seed (after `mutate`, if given) and count what broke. Seeds must be integers so a
 * sweep's per-seed draws (`sweepStream`) and the CLI's `--seed N` agree.
 */
export function sweep(
  base: Scenario,
  seeds: readonly number[],
  mutate?: (s: Scenario, seed: number) => Scenario,
  options: SweepOptions = {},
): SweepResult {
  for (const seed of seeds) {
    if (!Number.isSafeInteger(seed)) throw new Error(`sweep: seed ${seed} is not an integer`);
  }
  const violations: Record<string, number> = {};
  for (const name of base.invariants) violations[name] = 0;
  const out: SweepResult = {
    scenario: base.name,
    runs: 0,
    checked: [...base.invariants],
    violations,
    safetyRuns: 0,
    livenessRuns: 0,
    failingRuns: 0,
    noQuorumRuns: 0,
    failures: [],
    crashes: [],
  };
  const fileFor = options.reproFile ?? (() => base.file);
  seeds.forEach((seed, i) => {
    const s = mutate ? mutate(base, seed) : base;
    const reproduce = reproduceCommand(fileFor(seed), seed);
    let summary: RunSummary;
    try {
      summary = runSummary({ ...s, seed }, seed, options.maxEvents);
    } catch (err) {
      out.crashes.push({ seed, error: err instanceof Error ? err.message : String(err), reproduce });
      options.onProgress?.(i + 1, seeds.length);
      return;
    }
    out.runs++;
    for (const name of summary.violated) violations[name] = (violations[name] ?? 0) + 1;
    if (summary.safety) out.safetyRuns++;
    if (summary.liveness) out.livenessRuns++;
    if (summary.metrics.timeWithoutQuorumMs > 0) out.noQuorumRuns++;
    if (summary.violated.length > 0 || summary.safety || summary.liveness) {
      out.failingRuns++;
      out.failures.push({
        seed,
        violated: summary.violated,
        safety: summary.safety,
        liveness: summary.liveness,
        message: summary.first ? `${summary.first.invariant}: ${summary.first.message}` : '',
        reproduce,
      });
    }
    options.onRun?.(summary, s);
    options.onProgress?.(i + 1, seeds.length);
  });
  return out;
}

/** Seeds first..first+count-1. */
export function seedRange(count: number, first = 1): number[] {
  if (!Number.isInteger(count) || count < 0) throw new Error(`seedRange: bad count ${count}`);
  return Array.from({ length: count }, (_, i) => first + i);
}

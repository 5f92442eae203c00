// Shrink a failing scenario's explicit faults while the same invariant still fails: fewer faults, then
// shorter ones, then later ones, repeated until nothing changes (a greedy delta-debugging loop, bounded
// by a number of runs). It works on the file's own `faults:` entries, so the result is the same file
// with a smaller schedule: comments, names and every other key kept.
import { isSeq, parseDocument } from 'yaml';
import { formatMs, parseDurationMs } from '../engine/duration.js';
import { parseScenario } from '../scenario/load.js';
import { editScenarioText } from '../scenario/edit.js';
import { simulate } from '../simulate.js';
import type { FaultEntry } from './fault-schedule.js';
import type { FoundViolation } from './counterexample.js';

export interface ShrinkOptions {
  /** The invariant that must keep failing (default: the first one the original run violates). */
  invariant?: string;
  /** At most this many simulations (default 400). */
  maxRuns?: number;
  /** Called after every simulation (for progress). */
  onRun?: (runs: number, faults: number) => void;
}

export interface ShrinkResult {
  text: string;
  original: { faults: number; violation: FoundViolation };
  shrunk: { faults: number; violation: FoundViolation };
  runs: number;
  /** True when the loop stopped at maxRuns before reaching a fixed point. */
  exhausted: boolean;
}

/** The `faults:` entries of a scenario text, as plain objects (empty when there are none). */
export function faultEntries(text: string): FaultEntry[] {
  const doc = parseDocument(text);
  const node = doc.get('faults', true);
  if (node === undefined || node === null) return [];
  if (!isSeq(node)) throw new Error('shrink: the scenario has a faults: key that is not a list');
  return (doc.toJS() as { faults: FaultEntry[] }).faults;
}

const ms = (v: unknown): number | null =>
  typeof v === 'string' || typeof v === 'number' ? parseDurationMs(v) : null;

export function shrinkScenario(text: string, file: string, options: ShrinkOptions = {}): ShrinkResult {
  const maxRuns = options.maxRuns ?? 400;
  if (!Number.isInteger(maxRuns) || maxRuns < 1) throw new RangeError('shrinkScenario: maxRuns must be >= 1');
  let runs = 0;
  const run = (t: string): FoundViolation[] => {
    runs++;
    const r = simulate(parseScenario(t, file), { checkpoints: false, trace: false });
    options.onRun?.(runs, faultEntries(t).length);
    return r.violations.map((v) => ({ invariant: v.invariant, t: v.t, message: v.message }));
  };
  const first = run(text);
  const target = options.invariant ?? first[0]?.invariant;
  if (target === undefined)
    throw new ShrinkError(`${file} violates no invariant: there is nothing to shrink`);
  const originalViolation = first.find((v) => v.invariant === target);
  if (!originalViolation) throw new ShrinkError(`${file} does not violate '${target}'`);
  const scenario = parseScenario(text, file);
  const untilMs = scenario.liveness.faultsUntilMs;

  let faults = faultEntries(text);
  let best = { text, violation: originalViolation };
  const attempt = (candidate: FaultEntry[]): boolean => {
    if (runs >= maxRuns) return false;
    const t = editScenarioText(text, [{ set: ['faults'], value: candidate }]);
    const v = run(t).find((x) => x.invariant === target);
    if (!v) return false;
    faults = candidate;
    best = { text: t, violation: v };
    return true;
  };

  let changed = true;
  while (changed && runs < maxRuns) {
    changed = false;
    // Fewer: drop one fault at a time (from the end, so indices stay valid).
    for (let i = faults.length - 1; i >= 0; i--) {
      if (attempt(faults.filter((_, j) => j !== i))) changed = true;
    }
    // Shorter: halve each duration down to one second.
    for (let i = 0; i < faults.length; i++) {
      const d = ms(faults[i]!.duration);
      if (d === null || d <= 1_000) continue;
      const next = faults.map((f, j) =>
        j === i ? { ...f, duration: formatMs(Math.max(1_000, Math.floor(d / 2 / 1000) * 1000)) } : f,
      );
      if (attempt(next)) changed = true;
    }
    // Later: move each fault half-way towards the end of the fault window.
    for (let i = 0; i < faults.length; i++) {
      const at = ms(faults[i]!.at);
      if (at === null) continue;
      const later = at + Math.floor((untilMs - at) / 2 / 1000) * 1000;
      if (later <= at) continue;
      if (attempt(faults.map((f, j) => (j === i ? { ...f, at: formatMs(later) } : f)))) changed = true;
    }
  }
  return {
    text: best.text,
    original: { faults: faultEntries(text).length, violation: originalViolation },
    shrunk: { faults: faults.length, violation: best.violation },
    runs,
    exhausted: runs >= maxRuns,
  };
}

export class ShrinkError extends Error {
  override name = 'ShrinkError';
}

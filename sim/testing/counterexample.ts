// From a drawn case to a scenario file and back. A property runs exactly the text this module writes
// (parsed through the same loader as `upgradelab run`), so a counterexample file reproduces the failure
// byte for byte: same seed, same faults, same violation at the same simulated time.
import { formatMs } from '../engine/duration.js';
import { parseScenario } from '../scenario/load.js';
import type { ModelCoverage } from '../coverage/model-coverage.js';
import { simulate, type SimulateResult } from '../simulate.js';
import { editScenarioText, type ScenarioEdit } from '../scenario/edit.js';
import type { ClusterDraw } from './cluster.js';
import type { FaultEntry } from './fault-schedule.js';
import type { PolicyDraw } from './policy.js';

export interface CaseDraw {
  faults: readonly FaultEntry[];
  cluster?: ClusterDraw;
  policy?: PolicyDraw;
  seed?: number | string;
}

/** The scenario text of one drawn case: the base file with the draw written into it. */
export function scenarioText(baseText: string, draw: CaseDraw, comment?: string): string {
  const edits: ScenarioEdit[] = [{ set: ['faults'], value: draw.faults.map((f) => ({ ...f })) }];
  if (draw.seed !== undefined) edits.push({ set: ['seed'], value: draw.seed });
  if (draw.cluster) {
    edits.push({ set: ['cluster', 'controlPlanes'], value: draw.cluster.cluster.controlPlanes });
    edits.push({ set: ['cluster', 'workers'], value: draw.cluster.cluster.workers });
    edits.push({ set: ['cluster', 'version'], value: draw.cluster.cluster.version });
    edits.push({ set: ['bootloader'], value: draw.cluster.bootloader });
    if (draw.cluster.profile !== undefined) edits.push({ set: ['profile'], value: draw.cluster.profile });
  }
  if (draw.policy) edits.push({ set: ['upgrade', 'policy'], value: { ...draw.policy } });
  return editScenarioText(baseText, edits, comment);
}

/** What a property run may watch besides its verdicts. */
export interface RunWatch {
  /** Count the states and transitions of the models this run visits (sim/coverage/). */
  coverage?: ModelCoverage;
}

/** Run a scenario text as `upgradelab run` would (file name for messages only). */
export function runScenarioText(text: string, file: string, watch: RunWatch = {}): SimulateResult {
  return simulate(parseScenario(text, file), {
    checkpoints: false,
    ...(watch.coverage ? { mutateWorld: watch.coverage.hook() } : {}),
  });
}

export interface FoundViolation {
  invariant: string;
  t: number;
  message: string;
}

/** The first violation of one of `invariants` in a run, or null. */
export function firstViolation(r: SimulateResult, invariants: readonly string[]): FoundViolation | null {
  const v = r.violations.find((x) => invariants.includes(x.invariant));
  return v ? { invariant: v.invariant, t: v.t, message: v.message } : null;
}

/** The header comment of a counterexample file: how it was found and what it shows. */
export function counterexampleComment(info: {
  seed: number;
  path?: string;
  violation: FoundViolation;
  file?: string;
}): string {
  const v = info.violation;
  return [
    'Counterexample found by fast-check and shrunk to this schedule.',
    `fast-check seed: ${info.seed}${info.path ? `, path: ${info.path}` : ''}`,
    `violation: ${v.invariant} at ${formatMs(v.t)} (${v.t} ms): ${v.message.replace(/\s+/g, ' ')}`,
    `reproduce: upgradelab run ${info.file ?? 'THIS_FILE.yaml'}`,
  ].join('\n');
}

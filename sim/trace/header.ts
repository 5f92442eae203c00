// The trace header of a run (the first line, sim/trace/types.ts TraceHeader), built in one place for the
// simulated run (sim/run/run.ts) and the mixed run (sim/remote/mixed/mixed-run.ts), so the two cannot drift.
// `deterministic` is the caller's to say: a simulated run is a pure function of scenario and seed; a run
// with attached nodes runs on wall-clock time and is not.
import type { Scenario } from '../scenario/types.js';
import { CODE_VERSION } from '../version.js';
import { TRACE_FORMAT, TRACE_VERSION, type TraceHeader } from './types.js';

export function traceHeader(scenario: Scenario, seed: string | number, deterministic: boolean): TraceHeader {
  return {
    kind: 'header',
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    scenario: scenario.name,
    file: scenario.file,
    seed,
    codeVersion: CODE_VERSION,
    deterministic,
    nodes: scenario.cluster.nodes.map((n) => ({ name: n.name, role: n.role, attached: !!n.attach })),
    profile: scenario.profile ?? 'by-version',
    bootloader: scenario.bootloader,
    durationMs: scenario.durationMs,
    faultsUntilMs: scenario.liveness.faultsUntilMs,
  };
}

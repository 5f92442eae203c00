// What a run reports once it has stopped: the metrics, a verdict per invariant the scenario checks, and
// the final facts expectations look at (versions, learners, node states).
import type { World } from '../cluster/world.js';
import type { Scheduler } from '../engine/scheduler.js';
import type { OrchestratorReport } from '../orchestrator/orchestrator.js';
import type { Scenario } from '../scenario/types.js';
import type { RunMetrics, Verdict } from '../trace/types.js';
import type { RecordedViolation } from './monitor.js';

export interface FinalFacts {
  versions: Record<string, string | null>;
  learners: string[];
  states: Record<string, string>;
}

export function finalFacts(world: World): FinalFacts {
  return {
    versions: Object.fromEntries(world.nodes.map((n) => [n.name, n.actor.getSnapshot().context.version])),
    learners: world.etcd
      .members()
      .filter((m) => m.learner)
      .map((m) => m.name),
    states: Object.fromEntries(world.nodes.map((n) => [n.name, n.state])),
  };
}

export function runMetrics(
  scenario: Scenario,
  world: World,
  scheduler: Scheduler,
  report: OrchestratorReport | null,
  timeWithoutQuorumMs: number,
): RunMetrics {
  const target = scenario.upgrade?.to ?? null;
  return {
    simulatedMs: scheduler.now,
    events: scheduler.eventsExecuted,
    upgradeDurationMs:
      report && report.startedMs !== null && report.finishedMs !== null && !report.halted
        ? report.finishedMs - report.startedMs
        : null,
    timeWithoutQuorumMs,
    writesAttempted: world.writesAttempted,
    writesAcknowledged: world.writesAcknowledged,
    writesLost: world.etcd.lostWrites().length,
    nodesOnTarget: target
      ? world.nodes.filter((n) => n.actor.getSnapshot().context.version === target).length
      : 0,
  };
}

/** One verdict per invariant the scenario checks, in the scenario's order, with its first violation. */
export function verdicts(scenario: Scenario, violations: readonly RecordedViolation[]): Verdict[] {
  return scenario.invariants.map((name) => {
    const vs = violations.filter((v) => v.invariant === name);
    const first = vs[0];
    return first
      ? {
          invariant: name,
          ok: false,
          violations: vs.length,
          first: { t: first.t, nodes: first.nodes, message: first.message },
        }
      : { invariant: name, ok: true, violations: 0 };
  });
}

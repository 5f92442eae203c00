// `upgradelab/testing`: the property kit for users' own suites (STYLE.md habit 14: explicit list).
export { faultSchedule, SCHEDULE_FAULT_KINDS } from './fault-schedule.js';
export type { FaultEntry, FaultScheduleOptions, ScheduleFaultKind } from './fault-schedule.js';
export { clusterArb, clusterNames } from './cluster.js';
export type { ClusterDraw, ClusterOptions } from './cluster.js';
export { policyArb } from './policy.js';
export type { PolicyDraw, PolicyOptions } from './policy.js';
export { scenarioText, runScenarioText, firstViolation, counterexampleComment } from './counterexample.js';
export type { CaseDraw, FoundViolation, RunWatch } from './counterexample.js';
export { assertHolds, scenarioProperty, checkScenario, ScenarioPropertyError } from './property.js';
export type { CheckResult } from './property.js';
export { ModelCoverage, formatCoverage, coverageSummary, machineGraph } from '../coverage/index.js';
export type { CoverageReport, MachineCoverage, MachineGraph } from '../coverage/index.js';

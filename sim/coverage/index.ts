// Model coverage of the XState machines (the node and etcd-service models) over runs.
export { ModelCoverage } from './model-coverage.js';
export type { CoverageReport, MachineCoverage, StateHits, TransitionHits } from './model-coverage.js';
export { machineGraph } from './model-graph.js';
export type { MachineGraph, TransitionInfo } from './model-graph.js';
export { formatCoverage, coverageSummary } from './table.js';

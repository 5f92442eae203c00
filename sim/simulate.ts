// The run's public entry point. The run itself lives in sim/run/: run.ts wires and schedules, monitor.ts
// keeps the invariants, report.ts builds metrics, verdicts and final facts.
export { simulate, DEFAULT_MAX_EVENTS } from './run/run.js';
export type { SimulateOptions, SimulateResult, RecordedViolation } from './run/run.js';

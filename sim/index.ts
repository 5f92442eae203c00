// The public surface of `upgradelab` (STYLE.md habit 14): everything a user's code may import. Anything
// not exported here is internal and may move. Keep this list explicit; no `export *`.
export { simulate, DEFAULT_MAX_EVENTS } from './simulate.js';
export type { SimulateOptions, SimulateResult, RecordedViolation } from './simulate.js';

export { loadScenarioFile, parseScenario, applySeed, formatProblem, ScenarioError } from './scenario/load.js';
export type { ScenarioProblem } from './scenario/load.js';
export { editScenarioText } from './scenario/edit.js';
export type { ScenarioEdit } from './scenario/edit.js';
export { INVARIANT_NAMES } from './scenario/types.js';
export type {
  Scenario,
  InvariantName,
  NodeSpec,
  Timing,
  UpgradePolicy,
  UpgradeSpec,
  FaultSpec,
  RandomFaults,
  Expectation,
  EventMatcher,
} from './scenario/types.js';
export { POLICY_PRESET_NAMES, POLICY_PRESETS, policyFromPreset } from './scenario/policies.js';
export type { PolicyPresetName } from './scenario/policies.js';

export { buildInvariants, rollbackBoundMs } from './invariants/index.js';
export type { Invariant, InvariantEnv, Violation } from './invariants/index.js';
export { checkExpectations } from './expect.js';
export type { ExpectationResult } from './expect.js';

export { readTrace, readTraceFile, readTraceText, TraceError, TRACE_EVENT_TYPES } from './trace/reader.js';
export type { TraceFile } from './trace/reader.js';
export { TraceWriter, fileSink, memorySink } from './trace/writer.js';
export type { TraceSink, MemorySink, TraceWriterOptions } from './trace/writer.js';
export { toChromeTrace } from './trace/chrome.js';
export type { ChromeTrace, ChromeTraceEvent } from './trace/chrome.js';
export { TRACE_FORMAT, TRACE_VERSION } from './trace/types.js';
export type {
  TraceHeader,
  TraceEvent,
  TraceEventBody,
  TraceCheckpoint,
  TraceFooter,
  TraceLine,
  NodeCheckpoint,
  Verdict,
  RunMetrics,
} from './trace/types.js';

export type {
  NodeApi,
  NodeStatus,
  EtcdHealth,
  UpgradeOptions,
  ResetOptions,
  WipeLabel,
  ApiResult,
  Reply,
} from './api/node-api.js';

export { CODE_VERSION } from './version.js';

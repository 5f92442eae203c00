// simulate(scenario, options): one deterministic run. Wires the world, the faults, the orchestrator and
// the workload onto a fresh scheduler and runs it; the invariant monitor (monitor.ts) checks after every
// event, the trace is streamed as it goes, and report.ts turns the stopped run into metrics, verdicts and
// final facts. A run is a pure function of (scenario, seed, code version).
import type { EtcdOptions } from '../../models/etcd-cluster.js';
import type { etcdServiceMachine } from '../../models/etcd-service.js';
import type { nodeMachine } from '../../models/node.js';
import { SimulatedNodeApi } from '../cluster/sim-api.js';
import { World } from '../cluster/world.js';
import { Rng } from '../engine/rng.js';
import { Scheduler, type StopReason } from '../engine/scheduler.js';
import { injectFault } from '../faults/index.js';
import { scheduleRandomFaults } from '../faults/random.js';
import { FaultRegistry, type FaultContext } from '../faults/registry.js';
import { buildInvariants } from '../invariants/index.js';
import { Orchestrator, type OrchestratorReport } from '../orchestrator/orchestrator.js';
import { MAX_EVENTS, writePeriodMs } from '../scenario/limits.js';
import type { Scenario } from '../scenario/types.js';
import { buildCheckpoint } from '../trace/checkpoint.js';
import { sameJson } from '../trace/checkpoint-delta.js';
import { IncrementalCheckpoints, keyframePolicy } from '../trace/checkpoint-incremental.js';
import type {
  RunMetrics,
  TraceCheckpoint,
  TraceEvent,
  TraceEventBody,
  TraceFooter,
  Verdict,
} from '../trace/types.js';
import { traceHeader } from '../trace/header.js';
import { CountingWriter, type RunWriter } from '../trace/counting-writer.js';
import { memorySink, TraceWriter, type TraceSink } from '../trace/writer.js';
import { InvariantMonitor, type RecordedViolation } from './monitor.js';
import { finalFacts, runMetrics, verdicts as verdictsOf, type FinalFacts } from './report.js';

export type { RecordedViolation } from './monitor.js';

export interface SimulateOptions {
  /** Overrides the scenario's seed. */
  seed?: string | number;
  /** Where the trace goes; default: kept in memory and returned. */
  sink?: TraceSink;
  /** Hard cap on executed events (a bound on everything, STYLE.md habit 6). */
  maxEvents?: number;
  /** Write checkpoints (default true). */
  checkpoints?: boolean;
  /**
   * A full checkpoint at least this many checkpoints apart, deltas between, later while the deltas are
   * small next to a keyframe (default 10; 1: all full). sim/trace/checkpoint-incremental.ts
   */
  checkpointKeyframeEvery?: number;
  /**
   * Keep a trace (default true). `false` is the sweeps' trace-less mode: nothing is serialised or hashed
   * and no checkpoints are built; verdicts, metrics and footer counts are the same as a traced run's, and
   * the footer's hash is '' (sim/trace/counting-writer.ts). `sink` is ignored; `onEvent` still sees events.
   */
  trace?: boolean;
  /** Test hook: change the world after it is built. */
  mutateWorld?: (world: World) => void;
  /** Called with every trace event as it is written (expectations watch the run through this). */
  onEvent?: (e: TraceEvent) => void;
  /** Test hook: a replacement node model (canaries pass a deliberately broken one). */
  nodeMachine?: typeof nodeMachine;
  /** Test hook: etcd options (mutation tests pass wrong ones, e.g. no strict reconfiguration check). */
  etcdOptions?: Partial<EtcdOptions>;
  /** Test hook: a replacement etcd-service model (mutation tests). */
  etcdServiceMachine?: typeof etcdServiceMachine;
  /**
   * Test hook: check every invariant over every node after every event as well, and throw if the
   * incremental monitor's answer differs (sim/run/monitor.ts).
   */
  verifyInvariants?: boolean;
  /**
   * Bench hook: runs after each executed event, once the invariant monitor has seen it (bench/scale.ts
   * times every event with it). It must not change the run.
   */
  afterEvent?: () => void;
  /** Bench hook: runs when a checkpoint event starts (bench/scale.ts files its cost apart). */
  onCheckpoint?: () => void;
}

export interface SimulateResult {
  scenario: string;
  seed: string | number;
  stop: StopReason | 'time-bound';
  violations: RecordedViolation[];
  verdicts: Verdict[];
  metrics: RunMetrics;
  orchestrator: OrchestratorReport | null;
  footer: TraceFooter;
  /** The trace text when no sink was given. */
  trace: string | null;
  /** The safety phase ends at faultsUntilMs; convergence is demanded boundMs later. */
  liveness: { faultsUntilMs: number; boundMs: number };
  /** Final facts for expectations. */
  final: FinalFacts;
}

/** The event cap of a run (sim/scenario/limits.ts); reaching it stops the run early, never a PASS. */
export const DEFAULT_MAX_EVENTS = MAX_EVENTS;

/** Where two checkpoints of one world differ first, for the verify mode's error. */
function checkpointDifference(a: TraceCheckpoint, b: TraceCheckpoint): string {
  for (let i = 0; i < b.nodes.length; i++)
    if (!sameJson(a.nodes[i], b.nodes[i]))
      return `node ${b.nodes[i]!.name}: ${JSON.stringify(a.nodes[i])} vs ${JSON.stringify(b.nodes[i])}`;
  for (const k of ['etcd', 'activeFaults', 'partitions'] as const)
    if (!sameJson(a[k], b[k])) return `${k}: ${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])}`;
  return 'the keyframe text (the same state serialised differently)';
}

export function simulate(scenario: Scenario, options: SimulateOptions = {}): SimulateResult {
  // Attached nodes need the wall-clock mixed run (sim/remote/mixed/); simulating them would be a silent lie.
  if (scenario.cluster.nodes.some((n) => n.attach))
    throw new RangeError(`simulate: scenario '${scenario.name}' attaches real nodes: run it with runMixed`);
  const seed = options.seed ?? scenario.seed;
  const rng = new Rng(seed);
  const scheduler = new Scheduler();
  const traced = options.trace !== false;
  const memory = traced && !options.sink ? memorySink() : null;
  const counting = traced ? null : new CountingWriter();
  const traceWriter = counting ? null : new TraceWriter(options.sink ?? memory!);
  const writer: RunWriter = counting ?? traceWriter!;
  const policy = keyframePolicy(options.checkpointKeyframeEvery);
  let seq = 0;
  const onEvent = options.onEvent;
  // The fault registry hears when a node becomes Ready: that ends the quorum excuse of an instant fault.
  let faults: FaultRegistry | null = null;
  const trace =
    counting && !onEvent
      ? (body: TraceEventBody) => {
          counting.count(body.type);
          if (body.type === 'node.ready') faults?.noteReady(body.node);
        }
      : (body: TraceEventBody) => {
          const e = { kind: 'event', t: scheduler.now, seq: seq++, ...body } as TraceEvent;
          writer.event(e);
          if (body.type === 'node.ready') faults?.noteReady(body.node);
          if (onEvent) onEvent(e);
        };

  writer.header(traceHeader(scenario, seed, true));

  try {
    return run();
  } catch (err) {
    // A crash leaves a readable partial trace: everything written so far is flushed, without a footer.
    // If that flush fails too (a full disk), the first error is the one to report.
    try {
      writer.abort();
    } catch {
      // Ignored on purpose: see above.
    }
    throw err;
  }

  function run(): SimulateResult {
    const world = new World(
      scenario,
      scheduler,
      rng,
      trace,
      options.nodeMachine,
      options.etcdOptions,
      options.etcdServiceMachine,
    );
    options.mutateWorld?.(world);
    const registry = new FaultRegistry(trace);
    faults = registry;
    const fctx: FaultContext = { world, scheduler, trace, registry };
    const api = new SimulatedNodeApi(world, rng.stream('network'), fctx);
    const target = scenario.upgrade?.to ?? null;
    const monitor = new InvariantMonitor(
      scenario,
      world,
      registry,
      scheduler,
      buildInvariants(scenario),
      trace,
      options.verifyInvariants ? buildInvariants(scenario) : null,
    );
    let orchestrator: Orchestrator | null = null;

    trace({ type: 'phase', phase: 'safety' });
    world.powerOnAll();

    // Scheduled faults.
    for (const f of scenario.faults) scheduler.at(f.atMs, () => injectFault(fctx, f));
    if (scenario.random) {
      scheduleRandomFaults(
        fctx,
        scenario.random,
        rng.stream('faults'),
        scenario.liveness.faultsUntilMs,
        target,
      );
    }

    // The upgrade.
    if (scenario.upgrade) {
      const u = scenario.upgrade;
      scheduler.at(u.atMs, () => {
        orchestrator = new Orchestrator(api, u.to, u.policy, scenario.cluster.nodes, (step, node, detail) =>
          trace({ type: 'orchestrator', step, ...(node ? { node } : {}), ...(detail ? { detail } : {}) }),
        );
        orchestrator.start();
      });
    }

    // The workload: one client writing at a fixed rate.
    // By default the ticks between two events are one batch (Scheduler.every): they cannot change
    // anything but the log, so they share one answer, and `armed` changes only after an event.
    const rate = scenario.workload.etcdWritesPerSecond;
    if (rate > 0) {
      const period = writePeriodMs(rate);
      if (scenario.workload.trace === 'each') {
        const tick = () => {
          if (monitor.armed) world.write();
          scheduler.after(period, tick);
        };
        scheduler.at(period, tick);
      } else {
        scheduler.every(period, period, (count, firstMs) => {
          if (monitor.armed) world.writeBatch(count, firstMs);
        });
      }
    }

    // The liveness phase: faults stop; convergence is demanded within the bound.
    scheduler.at(scenario.liveness.faultsUntilMs, () => {
      trace({ type: 'phase', phase: 'liveness' });
      registry.stopAll(scheduler);
      world.markEtcdDirty();
    });
    const deadline = Math.min(
      scenario.durationMs,
      scenario.liveness.faultsUntilMs + scenario.liveness.boundMs,
    );
    scheduler.at(deadline, () => {
      world.settle();
      monitor.checkLiveness();
    });

    // Checkpoints let a viewer seek without replaying from zero.
    // Trace-less runs keep the checkpoint events (they count in metrics.events and settle the world) but
    // build nothing, so their metrics equal a traced run's.
    if (options.checkpoints !== false && scenario.checkpointEveryMs > 0) {
      // Built from the nodes that changed since the previous one (checkpoint-incremental.ts); the verify
      // mode also builds each in full and throws if the two differ.
      const checkpoints = traceWriter ? new IncrementalCheckpoints(world, registry, policy) : null;
      const cp = () => {
        options.onCheckpoint?.();
        world.settle();
        if (checkpoints) {
          const t = scheduler.now;
          const s = seq++;
          const line = checkpoints.next(t, s);
          traceWriter!.checkpointJson(t, line.json);
          if (options.verifyInvariants) {
            const full = buildCheckpoint(world, registry, t, s);
            if (
              !sameJson(checkpoints.current(t, s), full) ||
              (line.keyframe && line.json !== JSON.stringify(full))
            )
              throw new Error(
                `simulate: the incremental checkpoint at t=${t} ms differs from the full state at ` +
                  checkpointDifference(checkpoints.current(t, s), full),
              );
          }
        }
        scheduler.after(scenario.checkpointEveryMs, cp);
      };
      scheduler.at(scenario.checkpointEveryMs, cp);
    }

    const afterEvent = options.afterEvent;
    const stop = scheduler.run(
      { maxEvents: options.maxEvents ?? DEFAULT_MAX_EVENTS, maxTimeMs: scenario.durationMs },
      afterEvent
        ? () => {
            monitor.afterEach();
            afterEvent();
          }
        : monitor.afterEach,
    );
    if (stop === 'max-time' || stop === 'drained')
      scheduler.advanceTo(Math.max(scheduler.now, scenario.durationMs));
    monitor.finish();
    const violations = monitor.violations;
    const orch = orchestrator as Orchestrator | null;
    const report = orch ? orch.report() : null;
    const final = finalFacts(world);
    const metrics = runMetrics(scenario, world, scheduler, report, monitor.timeWithoutQuorumMs);
    const verdicts = verdictsOf(scenario, violations);
    const stopLabel = stop === 'max-time' || stop === 'drained' ? 'time-bound' : stop;
    const footer = writer.end({ t: scheduler.now, stop: stopLabel, verdicts, metrics });
    for (const n of world.nodes) {
      n.actor.stop();
      n.etcd?.stop();
    }
    return {
      scenario: scenario.name,
      seed,
      stop: stopLabel,
      violations,
      verdicts,
      metrics,
      orchestrator: report,
      footer,
      trace: memory ? memory.text() : null,
      liveness: scenario.liveness,
      final,
    };
  }
}

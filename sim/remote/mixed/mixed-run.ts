// A mixed run: a scenario whose control planes are attached (real agents with real etcd, reached over gRPC)
// while its other nodes stay simulated. It runs on wall-clock time — model ms = wall ms x `speed`, the
// agents' own --speed — so it is NOT deterministic and its trace header says so (deterministic: false).
// The simulated nodes live in a World advanced to the wall clock on a real timer (as `serve` does); their
// kubelets wait on the real Kubernetes API, i.e. a linearizable read of the real etcd (F§2). The scenario's
// orchestrator drives every node through one NodeApi (mixed-api.ts). Every invariant of a simulated run is
// evaluated: quorum and durability from the real etcd cluster (real-etcd.ts), single-upgrader from the
// nodes' status, convergence at the end, and bootable, rollback and version-skew (slot-invariants.ts) from
// each node's slot state (Lab.SlotState: an agent reads it from its disk folders) and machine states (an
// agent's Lab.Events stream; the simulated world's own trace).
import { Orchestrator, type OrchestratorReport } from '../../orchestrator/orchestrator.js';
import { SimulatedNodeApi } from '../../cluster/sim-api.js';
import { World } from '../../cluster/world.js';
import { Rng } from '../../engine/rng.js';
import { Scheduler } from '../../engine/scheduler.js';
import { FaultRegistry, type FaultContext } from '../../faults/registry.js';
import type { RecordedViolation } from '../../run/monitor.js';
import type { InvariantName, Scenario } from '../../scenario/types.js';
import type { EtcdHealth, NodeApi, NodeStatus, Reply, SlotState } from '../../api/node-api.js';
import { traceHeader } from '../../trace/header.js';
import { verdicts as verdictsOf } from '../../run/report.js';
import { rollbackBoundMs } from '../../invariants/index.js';
import type { RunMetrics, TraceEventBody, TraceFooter, Verdict } from '../../trace/types.js';
import { memorySink, TraceWriter, type TraceSink } from '../../trace/writer.js';
import { GrpcNodeApi } from '../client.js';
import { RemoteConfigError, type TlsFiles } from '../server.js';
import { MixedNodeApi, ScaledClock } from './mixed-api.js';
import { RealEtcd, type Sample, type WriteOutcome } from './real-etcd.js';
import { SlotInvariants, type SlotFinding } from './slot-invariants.js';

/** The invariants a mixed run evaluates: all of a simulated run's. */
export const MIXED_INVARIANTS: readonly InvariantName[] = [
  'quorum',
  'bootable',
  'rollback',
  'durability',
  'single-upgrader',
  'convergence',
  'version-skew',
];

export interface MixedRunOptions {
  /** Model ms per wall-clock ms: must be the agents' --speed, so a policy's timeouts scale alike. */
  speed: number;
  /** Where the trace goes; default: kept in memory and returned. */
  sink?: TraceSink;
  seed?: string | number;
  tls?: TlsFiles;
  /** Wall-clock ms between two advances of the simulated scheduler. */
  tickWallMs?: number;
  /** Wall-clock ms between two samples of the real etcd, of the attached nodes' status and of every slot state. */
  sampleWallMs?: number;
  /**
   * Consecutive samples below a majority that count as a lost quorum (one slow answer is not a loss); on a
   * loaded machine samples slow down, so two samples at least (n-1) sample periods apart count too.
   */
  quorumLostAfterSamples?: number;
  /** Bound on the whole run in wall-clock ms (default: the scenario's deadline at `speed`, plus 60 s). */
  timeoutWallMs?: number;
  /** Key prefix of the workload's writes (default: one per run, so runs on one lab stay apart). */
  keyPrefix?: string;
  /** Progress lines (orchestrator steps, violations). */
  log?: (line: string) => void;
}

export interface MixedRunResult {
  scenario: string;
  seed: string | number;
  /** 'converged': every node Ready on the target after the rollout; 'time-bound': the deadline came first. */
  stop: 'converged' | 'time-bound' | 'wall-timeout';
  violations: RecordedViolation[];
  verdicts: Verdict[];
  /** The scenario's invariants a mixed run cannot evaluate (reported, never silently passed). */
  notEvaluated: InvariantName[];
  metrics: RunMetrics;
  orchestrator: OrchestratorReport | null;
  footer: TraceFooter;
  trace: string | null;
  final: { versions: Record<string, string | null>; ready: Record<string, boolean> };
  wallMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Workload writes per wall-clock second at most: real etcd is not scaled by `speed` (wall-clock.ts). */
const WRITES_PER_SECOND_MAX = 50;
/** Events the simulated scheduler may run in one tick (a runaway model cannot freeze the run). */
const EVENTS_PER_TICK_MAX = 200_000;

function ask<T>(f: (reply: Reply<T>) => void) {
  return new Promise<Parameters<Reply<T>>[0]>((resolve) => f(resolve));
}

/** Why a scenario cannot be a mixed run, or null. The loader calls it too (errors name the field). */
export function mixedRunProblem(scenario: Scenario): string | null {
  const attached = scenario.cluster.nodes.filter((n) => n.attach);
  if (attached.length === 0) return 'no node is attached';
  const simulatedCp = scenario.cluster.nodes.find((n) => n.role === 'controlplane' && !n.attach);
  if (simulatedCp)
    return `control plane '${simulatedCp.name}' is not attached: in a mixed run etcd is real, so every control plane must be`;
  return null;
}

export async function runMixed(scenario: Scenario, options: MixedRunOptions): Promise<MixedRunResult> {
  const problem = mixedRunProblem(scenario);
  if (problem) throw new RangeError(`runMixed: ${problem}`);
  const wallStart = Date.now();
  const speed = options.speed;
  const clock = new ScaledClock(speed);
  const seed = options.seed ?? scenario.seed;
  const memory = options.sink ? null : memorySink();
  const writer = new TraceWriter(options.sink ?? memory!);
  const log = options.log ?? (() => {});
  const sampleWallMs = options.sampleWallMs ?? 200;
  const lostAfter = options.quorumLostAfterSamples ?? 3;
  const deadlineMs = Math.min(
    scenario.durationMs,
    scenario.liveness.faultsUntilMs + scenario.liveness.boundMs,
  );
  const timeoutWallMs = options.timeoutWallMs ?? deadlineMs / speed + 60_000;
  const target = scenario.upgrade?.to ?? null;
  const attachedNodes = scenario.cluster.nodes.filter((n) => n.attach);
  const attached = new Set(attachedNodes.map((n) => n.name));
  const order = scenario.cluster.nodes.map((n) => n.name);

  // The trace: one time line in model ms. Simulated events carry the scheduler's time, real ones the
  // clock's; the scheduler trails the clock by up to a tick, so times are clamped to never go back.
  let seq = 0;
  let lastT = 0;
  const trace = (body: TraceEventBody, t: number) => {
    lastT = Math.max(lastT, t);
    writer.event({ kind: 'event', t: lastT, seq: seq++, ...body } as Parameters<TraceWriter['event']>[0]);
  };
  writer.header(traceHeader(scenario, seed, false));

  const slots = new SlotInvariants(order, new Set(scenario.invariants), rollbackBoundMs(scenario));
  const violations: RecordedViolation[] = [];
  const violate = (invariant: InvariantName, nodes: string[], message: string, liveness = false) => {
    if (!scenario.invariants.includes(invariant)) return;
    const t = Math.max(lastT, clock.now());
    violations.push({ t, invariant, nodes, message, liveness });
    trace({ type: 'violation', invariant, nodes, message, liveness }, t);
    log(`violation ${invariant} [${nodes.join(',')}] ${message}`);
  };
  const flag = (findings: SlotFinding[]) => {
    for (const f of findings) violate(f.invariant, f.nodes, f.message);
  };

  // The simulated part: the scenario's unattached nodes in their own world.
  const scheduler = new Scheduler();
  const rng = new Rng(seed);
  const simTrace = (body: TraceEventBody) => {
    trace(body, scheduler.now);
    if (body.type === 'node.ready') registry.noteReady(body.node);
    if (body.type === 'node.state')
      flag(slots.onState(body.node, body.state, body.version, scheduler.now, true));
  };
  const registry = new FaultRegistry(simTrace);
  const simScenario: Scenario = {
    ...scenario,
    cluster: { ...scenario.cluster, nodes: scenario.cluster.nodes.filter((n) => !n.attach) },
  };
  const world = new World(simScenario, scheduler, rng, simTrace);
  let kubeApiUp = false;
  world.externalKubeApi = () => kubeApiUp;
  const fctx: FaultContext = { world, scheduler, trace: simTrace, registry };
  const simApi = new SimulatedNodeApi(world, rng.stream('network'), fctx);
  const real = new GrpcNodeApi({
    targets: attachedNodes.map((n) => ({ name: n.name, address: n.attach! })),
    speed,
    callTimeoutMs: 10_000,
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const api: NodeApi = new MixedNodeApi(order, attached, real, simApi, clock);

  // single-upgrader as a simulated run keeps it (sim/invariants/single-upgrader.ts): a control plane is
  // mid-upgrade from its accepted request until it is Ready again, read from its event stream (a status
  // sample every 200 ms, slower while etcd members time out, missed short overlaps).
  const midUpgrade = new Set<string>();
  const roleOf = new Map(scenario.cluster.nodes.map((n) => [n.name, n.role]));
  let upgradersActive = false;
  const upgradeEvent = (node: string, body: TraceEventBody) => {
    if (body.type === 'upgrade.step' && body.step === 'accepted') midUpgrade.add(node);
    else if (body.type === 'upgrade.step' && (body.step === 'refused' || body.step === 'stopped'))
      midUpgrade.delete(node);
    else if (body.type === 'node.ready') midUpgrade.delete(node);
    else return;
    const cps = order.filter((n) => midUpgrade.has(n) && roleOf.get(n) === 'controlplane');
    if (cps.length > 1 && !upgradersActive)
      violate('single-upgrader', cps, `${cps.length} control planes mid-upgrade at once: ${cps.join(', ')}`);
    upgradersActive = cps.length > 1;
  };

  let running = true;
  const unsubscribe = new Map<string, () => void>();
  let tickTimer: NodeJS.Timeout | null = null;
  let orchestrator: Orchestrator | null = null;
  let etcd: RealEtcd | null = null;
  const writes: WriteOutcome[] = [];
  let stop: MixedRunResult['stop'] = 'time-bound';
  let timeWithoutQuorumMs = 0;
  const statuses = new Map<string, NodeStatus>();

  try {
    trace({ type: 'phase', phase: 'safety' }, 0);
    // Every machine state of the attached nodes, from their event streams (a sample every 200 ms would miss
    // a short failed boot); a stream that ends is opened again while the run goes on.
    const follow = (n: string) => {
      if (!running) return;
      unsubscribe.set(
        n,
        real.events(
          n,
          (e) => {
            if (e.body.type === 'node.state')
              flag(slots.onState(n, e.body.state, e.body.version, clock.now(), true));
            upgradeEvent(n, e.body);
          },
          () => {
            unsubscribe.delete(n);
            if (running) setTimeout(() => follow(n), 500);
          },
        ),
      );
    };
    for (const n of attached) follow(n);
    world.powerOnAll();
    // The simulated scheduler follows the wall clock; settle() after the advance wakes kubelets that wait
    // on the real API (it changes between events of this world).
    const tick = () => {
      const to = clock.now();
      const stopped = scheduler.run(
        { maxEvents: scheduler.eventsExecuted + EVENTS_PER_TICK_MAX, maxTimeMs: to },
        () => world.settle(),
      );
      if (stopped !== 'max-events' && scheduler.now < to) scheduler.advanceTo(to);
      world.settle();
    };
    tickTimer = setInterval(tick, options.tickWallMs ?? 20);

    etcd = new RealEtcd(
      await etcdEndpoints(real, attachedNodes),
      options.keyPrefix ?? `upgradelab/mixed/${wallStart}`,
    );
    const realEtcd = etcd;

    if (scenario.upgrade) {
      const u = scenario.upgrade;
      clock.after(u.atMs, () => {
        orchestrator = new Orchestrator(api, u.to, u.policy, scenario.cluster.nodes, (step, node, detail) => {
          trace(
            { type: 'orchestrator', step, ...(node ? { node } : {}), ...(detail ? { detail } : {}) },
            clock.now(),
          );
          log(`${step}${node ? ` ${node}` : ''}${detail ? `: ${detail}` : ''}`);
        });
        orchestrator.start();
      });
    }

    // The workload: writes start once a linearizable read works (the cluster has formed, as a simulated run
    // arms its writes), at the scenario's rate in wall-clock seconds.
    let armed = false;
    const rate = Math.min(scenario.workload.etcdWritesPerSecond, WRITES_PER_SECOND_MAX);
    const workload = (async () => {
      if (rate <= 0) return;
      const periodWallMs = 1000 / rate;
      while (running) {
        if (armed) writes.push(await realEtcd.write(clock.now()));
        await sleep(periodWallMs);
      }
    })();

    // Samples: quorum, leader, the Kubernetes API, the attached nodes' status.
    let below = 0;
    let belowSinceWallMs = 0;
    let quorumLost = false;
    let lastSampleMs = clock.now();
    let leader: string | null | undefined;
    let livenessPhase = false;
    let flushedWrites = 0;
    const sampleOnce = async () => {
      const s: Sample = await realEtcd.sample();
      const now = clock.now();
      kubeApiUp = s.readOk;
      if (s.readOk) armed = true;
      if (s.leader !== leader) {
        leader = s.leader;
        trace({ type: 'etcd.leader', leader: s.leader, term: s.term }, now);
      }
      const sampledWallMs = Date.now();
      below = s.voters > 0 && s.votersUp >= Math.floor(s.voters / 2) + 1 ? 0 : below + 1;
      if (below === 1) belowSinceWallMs = sampledWallMs;
      const lostLongEnough =
        below >= lostAfter ||
        (below >= 2 && sampledWallMs - belowSinceWallMs >= (lostAfter - 1) * sampleWallMs);
      if (quorumLost) timeWithoutQuorumMs += now - lastSampleMs;
      lastSampleMs = now;
      if (lostLongEnough && !quorumLost) {
        quorumLost = true;
        violate(
          'quorum',
          [...attached],
          s.voters === 0
            ? 'no etcd member answers a member list (real etcd)'
            : `${s.votersUp} of ${s.voters} etcd voters answer (real etcd)`,
        );
      } else if (below === 0) quorumLost = false;
      // The workload's outcomes since the last sample, one etcd.commit line per run of equal outcome.
      const fresh = writes.slice(flushedWrites);
      flushedWrites = writes.length;
      for (let i = 0; i < fresh.length;) {
        let j = i;
        while (j + 1 < fresh.length && fresh[j + 1]!.ok === fresh[i]!.ok) j++;
        const first = fresh[i]!;
        trace(
          {
            type: 'etcd.commit',
            writes: j - i + 1,
            ok: first.ok,
            firstId: first.id,
            fromMs: Math.min(first.atWallMs, now),
            ...(first.ok ? {} : { error: first.error ?? 'failed' }),
          },
          now,
        );
        i = j + 1;
      }
      // The attached nodes' status and every node's slot state (bootable from the disks: an agent reads its
      // folders), asked at once so a slow answer does not stretch the sampling period.
      await Promise.all(
        [
          [...attached].map(async (n) => {
            const r = await ask<NodeStatus>((reply) => real.status(n, reply));
            if (!r.ok) return;
            const before = statuses.get(n);
            const t = clock.now();
            if (!before || before.state !== r.value.state || before.version !== r.value.version)
              trace(
                { type: 'node.state', node: n, state: r.value.state, version: r.value.version, slot: null },
                t,
              );
            if (r.value.ready && !before?.ready && r.value.version)
              trace({ type: 'node.ready', node: n, version: r.value.version }, t);
            statuses.set(n, r.value);
          }),
          order.map(async (n) => {
            const r = await ask<SlotState>((reply) => api.slotState!(n, reply));
            if (r.ok) flag(slots.onSample(n, r.value, clock.now()));
          }),
        ].flat(),
      );
      flag(slots.deadlines(clock.now()));
      if (!livenessPhase && now >= scenario.liveness.faultsUntilMs) {
        livenessPhase = true;
        trace({ type: 'phase', phase: 'liveness' }, now);
      }
    };

    const converged = async (): Promise<boolean> => {
      const orch = orchestrator as Orchestrator | null;
      if (target === null || !orch?.finished) return false;
      for (const n of order) {
        const r = await ask<NodeStatus>((reply) => api.status(n, reply));
        if (!r.ok || !r.value.ready || r.value.version !== target) return false;
      }
      return true;
    };

    for (;;) {
      await sampleOnce();
      if (await converged()) {
        stop = 'converged';
        break;
      }
      if (clock.now() >= deadlineMs) break;
      if (Date.now() - wallStart > timeoutWallMs) {
        stop = 'wall-timeout';
        break;
      }
      await sleep(sampleWallMs);
    }
    running = false;
    await workload;
    await sampleOnce();

    // The end: convergence (every node on the target) and durability (every acknowledged write readable).
    const final: MixedRunResult['final'] = { versions: {}, ready: {} };
    for (const n of order) {
      const r = await ask<NodeStatus>((reply) => api.status(n, reply));
      final.versions[n] = r.ok ? r.value.version : null;
      final.ready[n] = r.ok && r.value.ready;
    }
    const behind =
      target === null ? [] : order.filter((n) => final.versions[n] !== target || !final.ready[n]);
    if (behind.length > 0)
      violate(
        'convergence',
        behind,
        `not Ready on ${target} at the end: ${behind.map((n) => `${n} ${final.versions[n] ?? '-'}`).join(', ')}`,
        true,
      );
    const lost = await realEtcd.lostWrites();
    if (lost.length > 0)
      violate(
        'durability',
        [...attached],
        `${lost.length} acknowledged write(s) not readable at the end (first id ${lost[0]})`,
      );

    const orch = orchestrator as Orchestrator | null;
    const report = orch ? orch.report() : null;
    const evaluated = scenario.invariants.filter((i) => MIXED_INVARIANTS.includes(i));
    // The report's verdicts, over the invariants a mixed run can evaluate (the others are listed as such).
    const verdicts = verdictsOf({ ...scenario, invariants: evaluated }, violations);
    const endMs = Math.max(lastT, clock.now());
    const metrics: RunMetrics = {
      simulatedMs: endMs,
      events: seq,
      upgradeDurationMs:
        report?.startedMs != null && report.finishedMs != null ? report.finishedMs - report.startedMs : null,
      timeWithoutQuorumMs,
      writesAttempted: realEtcd.attempted,
      writesAcknowledged: realEtcd.acked.length,
      writesLost: lost.length,
      nodesOnTarget: order.filter((n) => final.versions[n] === target).length,
    };
    const footer = writer.end({ t: endMs, stop, verdicts, metrics });
    return {
      scenario: scenario.name,
      seed,
      stop,
      violations,
      verdicts,
      notEvaluated: scenario.invariants.filter((i) => !MIXED_INVARIANTS.includes(i)),
      metrics,
      orchestrator: report,
      footer,
      trace: memory ? memory.text() : null,
      final,
      wallMs: Date.now() - wallStart,
    };
  } catch (err) {
    try {
      writer.abort();
    } catch {
      // The first error is the one to report.
    }
    throw err;
  } finally {
    running = false;
    for (const stop of [...unsubscribe.values()]) stop();
    if (tickTimer) clearInterval(tickTimer);
    clock.stop();
    real.close();
    for (const n of world.nodes) {
      n.actor.stop();
      n.etcd?.stop();
    }
  }
}

/** The real etcd's client URLs, as the attached control planes report their members (F§4: voters only). */
async function etcdEndpoints(
  real: GrpcNodeApi,
  attached: readonly { name: string; role: string }[],
): Promise<string[]> {
  const cps = attached.filter((n) => n.role === 'controlplane');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const cp of cps) {
      const h = await ask<EtcdHealth>((reply) => real.etcdHealth(cp.name, reply));
      if (!h.ok) continue;
      const urls = h.value.members.flatMap((m) => m.clientUrls ?? []);
      if (urls.length > 0) return urls;
    }
    await sleep(500);
  }
  throw new RemoteConfigError(
    `no attached control plane (${cps.map((c) => c.name).join(', ')}) reported its etcd client URLs within 60 s`,
  );
}

// Model versus reality, whole runs (issue 10 item 6): one small upgrade case is run twice through the same
// NodeApi-level script — once on simulated nodes (World + SimulatedNodeApi on virtual time), once on real
// agents with real etcd (a `cluster up` lab) — and both runs are reduced to the same facts: final version
// per node, whether the policy halted, quorum held, acknowledged writes lost and the ordered list of etcd
// membership changes. The script (faults fired on orchestrator steps, delays in model ms through
// NodeApi.after) is shared, so the only difference is what answers the calls.
import type { NodeApi } from '../../sim/api/node-api.js';
import type { BootFailStage, WipeLabel } from '../../models/types.js';
import { Orchestrator } from '../../sim/orchestrator/orchestrator.js';
import { LiveSimulation } from '../../sim/remote/live.js';
import type { Scenario, UpgradePolicy } from '../../sim/scenario/types.js';
import type { TraceEventBody } from '../../sim/trace/types.js';
import { scenario } from '../helpers/scenario.js';

export type Action =
  | { verb: 'powerOff' | 'powerOn'; node: string; afterMs?: number }
  // A network partition of one node's etcd peer traffic, both ways (NodeApi.isolate/heal: the world's
  // partition fault on the model side, the lab service's peer-proxy cut on real agents).
  | { verb: 'isolate' | 'heal'; node: string; afterMs?: number }
  | { verb: 'wipe'; node: string; label: WipeLabel; afterMs?: number }
  | { verb: 'failNextBoot'; node: string; version: string; stage: BootFailStage; afterMs?: number };

export interface WholeRunCase {
  name: string;
  from: string;
  to: string;
  policy?: Partial<UpgradePolicy>;
  /** Applied before the rollout starts (in order; `afterMs` is model time from the previous action). */
  before?: Action[];
  /** Fired once when the orchestrator reports `step` for `node`. */
  on?: { step: string; node: string; actions: Action[] }[];
  /** With the lab's worker w1 (an agent without etcd): rolled after the control planes and compared too. */
  worker?: boolean;
}

export interface Outcome {
  versions: Record<string, string | null>;
  halted: boolean;
  quorumHeld: boolean;
  writesLost: number;
  /** e.g. ["removed cp1", "added cp1", "promoted cp1"] in the order they happened. */
  membership: string[];
}

export const NODES: readonly { name: string; role: 'controlplane' | 'worker' }[] = [
  { name: 'cp1', role: 'controlplane' },
  { name: 'cp2', role: 'controlplane' },
  { name: 'cp3', role: 'controlplane' },
];
export const WORKER = { name: 'w1', role: 'worker' as const };

/** The nodes a case drives and compares: the three control planes, and w1 in a worker case. */
export function nodesOf(c: WholeRunCase): { name: string; role: 'controlplane' | 'worker' }[] {
  return c.worker ? [...NODES, WORKER] : [...NODES];
}

/**
 * Quorum held = at every sample a majority of the voters is up (models/etcd-cluster.ts hasQuorum: a leader,
 * or an election that will produce one among linked voters; on real etcd: voters whose process answers a
 * status request and that the script has not isolated, F§4: a partition's minority is unavailable). Both
 * sides sample every 200 ms of wall time at the real side's speed, i.e. the same period of model time, so a
 * window one side could not see is not counted by the other; quorum counts as lost after this many
 * consecutive samples without it (one status request that times out on a loaded machine is not a loss).
 */
export const LOST_AFTER_SAMPLES = 2;
export const SAMPLE_WALL_MS = 200;

/** Called after each action with whether it succeeded (the real side's quorum observer tracks isolation). */
export type ActionHook = (a: Action, ok: boolean) => void;

/** Run `actions` one after the other on `api` (model-time delays), then `done`. */
export function play(
  api: NodeApi,
  actions: readonly Action[],
  done: () => void,
  log: (s: string) => void,
  hook: ActionHook = () => {},
): void {
  const [a, ...rest] = actions;
  if (!a) return done();
  api.after(a.afterMs ?? 0, () => {
    const next = (r: { ok: boolean }) => {
      log(`${a.verb} ${a.node}: ${r.ok ? 'ok' : JSON.stringify(r)}`);
      hook(a, r.ok);
      play(api, rest, done, log, hook);
    };
    if (a.verb === 'powerOff') api.powerOff(a.node, next);
    else if (a.verb === 'powerOn') api.powerOn(a.node, next);
    else if (a.verb === 'isolate') api.isolate(a.node, next);
    else if (a.verb === 'heal') api.heal(a.node, next);
    else if (a.verb === 'wipe') api.wipe(a.node, a.label, next);
    else if (a.verb === 'failNextBoot') api.failNextBoot(a.node, a.version, a.stage, next);
  });
}

/** The shared script: `before` actions, then the rollout with the step-triggered faults. */
export function startCase(
  api: NodeApi,
  c: WholeRunCase,
  policy: UpgradePolicy,
  log: (s: string) => void,
  hook: ActionHook = () => {},
): { orchestrator: () => Orchestrator | null } {
  let orch: Orchestrator | null = null;
  const fired = new Set<number>();
  play(
    api,
    c.before ?? [],
    () => {
      orch = new Orchestrator(api, c.to, policy, nodesOf(c), (step, node, detail) => {
        log(`${step} ${node ?? ''} ${detail ?? ''}`);
        (c.on ?? []).forEach((t, i) => {
          if (t.step !== step || t.node !== node || fired.has(i)) return;
          fired.add(i);
          play(api, t.actions, () => {}, log, hook);
        });
      });
      orch.start();
    },
    log,
    hook,
  );
  return { orchestrator: () => orch };
}

export function caseScenario(c: WholeRunCase): Scenario {
  const yaml = [
    `name: ${c.name}`,
    'seed: 1',
    'duration: 6h',
    'cluster:',
    '  controlPlanes: 3',
    `  workers: ${c.worker ? 1 : 0}`,
    `  version: ${c.from}`,
    'upgrade:',
    `  to: ${c.to}`,
    '  policy: talosctl',
    'workload: { etcdWritesPerSecond: 0 }',
    '',
  ].join('\n');
  const s = scenario(yaml, `${c.name}.yaml`);
  return { ...s, upgrade: { ...s.upgrade!, policy: { ...s.upgrade!.policy, ...(c.policy ?? {}) } } };
}

/** The model side: the case on simulated nodes, on virtual time (deterministic). */
export function runSimulated(c: WholeRunCase, speed: number, log: (s: string) => void = () => {}): Outcome {
  const sc = caseScenario(c);
  const live = new LiveSimulation(sc, { speed: 1 });
  const { world, scheduler, api } = live;
  const events: TraceEventBody[] = [];
  live.events.subscribe(null, (e) => events.push(e.body));
  const run = (untilMs: number, stop: () => boolean) => {
    while (scheduler.now < untilMs && !stop()) {
      scheduler.run({ maxEvents: scheduler.eventsExecuted + 10_000, maxTimeMs: scheduler.now + 1_000 }, () =>
        world.settle(),
      );
      if (scheduler.now < untilMs) scheduler.advanceTo(Math.min(untilMs, scheduler.now + 1_000));
    }
  };
  world.powerOnAll();
  const ready = () =>
    world.nodes.every((n) => world.nodeContext(n.name).ready && world.nodeContext(n.name).version === c.from);
  run(3_600_000, ready);
  if (!ready()) throw new Error(`${c.name}: simulated cluster not Ready on ${c.from}`);
  const startIndex = events.length;
  // Observers at the real side's periods in model time: a quorum sample every 200 ms and a write every
  // 100 ms of wall time.
  let quorumHeld = true;
  let without = 0;
  const sampleMs = SAMPLE_WALL_MS * speed;
  const probe = () => {
    world.settle();
    without = world.etcd.hasQuorum() ? 0 : without + 1;
    if (without >= LOST_AFTER_SAMPLES) quorumHeld = false;
    scheduler.after(sampleMs, probe);
  };
  scheduler.after(sampleMs, probe);
  const write = () => {
    world.write();
    scheduler.after(100 * speed, write);
  };
  scheduler.after(100 * speed, write);
  const started = startCase(api, c, sc.upgrade!.policy, log);
  run(scheduler.now + 6 * 3_600_000, () => started.orchestrator()?.finished === true);
  const orch = started.orchestrator();
  // Let a halted rollout's nodes settle (a revert reboots) before reading the final versions.
  run(scheduler.now + 10 * 60_000, () => false);
  const versions: Record<string, string | null> = {};
  for (const n of nodesOf(c)) versions[n.name] = world.nodeContext(n.name).version;
  let writesLost = 0;
  const membership: string[] = [];
  for (const e of events.slice(startIndex)) {
    if (e.type !== 'etcd.member') continue;
    if (e.change === 'log-truncated')
      writesLost += Number(/(\d+) acknowledged/.exec(e.detail ?? '')?.[1] ?? 0);
    if (e.change === 'added' || e.change === 'removed' || e.change === 'promoted')
      membership.push(`${e.change} ${e.node}`);
  }
  live.stop();
  return {
    versions,
    halted: orch?.report().halted ?? true,
    quorumHeld,
    writesLost,
    membership,
  };
}

export function sameOutcome(a: Outcome, b: Outcome): string[] {
  const diffs: string[] = [];
  if (JSON.stringify(a.versions) !== JSON.stringify(b.versions))
    diffs.push(`versions ${JSON.stringify(a.versions)} vs ${JSON.stringify(b.versions)}`);
  if (a.halted !== b.halted) diffs.push(`halted ${a.halted} vs ${b.halted}`);
  if (a.quorumHeld !== b.quorumHeld) diffs.push(`quorum held ${a.quorumHeld} vs ${b.quorumHeld}`);
  if (a.writesLost !== b.writesLost) diffs.push(`writes lost ${a.writesLost} vs ${b.writesLost}`);
  if (a.membership.join(',') !== b.membership.join(','))
    diffs.push(`membership [${a.membership.join(', ')}] vs [${b.membership.join(', ')}]`);
  return diffs;
}

// A recording stand-in for the World that the fault kinds (sim/faults/) act on: every world verb a fault
// calls is logged as one line with the simulated time, the networks are the real models/network.ts, and
// the etcd membership and node states are set by the test. So a test of a fault kind states exactly what
// the fault must do to the world, when, and what it must trace, without running a cluster.
import { Network } from '../../models/network.js';
import type { World } from '../../sim/cluster/world.js';
import { Scheduler } from '../../sim/engine/scheduler.js';
import { FaultRegistry, type FaultContext } from '../../sim/faults/registry.js';

export interface FaultWorld {
  ctx: FaultContext;
  scheduler: Scheduler;
  registry: FaultRegistry;
  /** World verbs called, as `t <verb> <args>` lines. */
  calls: string[];
  /** Trace lines written (by the registry and by the faults), each with its time. */
  lines: Record<string, unknown>[];
  /** Node state (`running`, `hung`, ...) as `world.node(name).state` reports it. */
  states: Map<string, string>;
  /** etcd members by node name; removing one through `removeMemberOf` deletes it unless `refuseRemove`. */
  members: Map<string, string>;
  refuseRemove: boolean;
  run(untilMs: number): void;
}

export function faultWorld(names: readonly string[]): FaultWorld {
  const scheduler = new Scheduler();
  const calls: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const states = new Map(names.map((n) => [n, 'running']));
  const members = new Map(names.filter((n) => n.startsWith('cp')).map((n, i) => [n, `m${i + 1}`]));
  const trace = (e: object) => lines.push({ t: scheduler.now, ...e });
  const registry = new FaultRegistry(trace as FaultContext['trace']);
  const log = (verb: string, ...args: unknown[]) =>
    calls.push([scheduler.now, verb, ...args.map((a) => JSON.stringify(a))].join(' '));
  const fw: FaultWorld = {
    scheduler,
    registry,
    calls,
    lines,
    states,
    members,
    refuseRemove: false,
    ctx: undefined as unknown as FaultContext,
    run: (untilMs) => void scheduler.run({ maxEvents: 10_000, maxTimeMs: untilMs }),
  };
  const world = {
    nodes: names.map((name) => ({ name })),
    network: new Network(names),
    peerNetwork: new Network(names),
    node: (name: string) => ({ name, state: states.get(name) }),
    markEtcdDirty: () => log('markEtcdDirty'),
    powerLoss: (n: string) => log('powerLoss', n),
    powerOn: (n: string) => log('powerOn', n),
    wipe: (n: string, label: string) => log('wipe', n, label),
    injectBootFault: (n: string, f: unknown) => log('injectBootFault', n, f),
    setBootFull: (n: string, on: boolean) => log('setBootFull', n, on),
    setBusyMounts: (n: string, on: boolean) => log('setBusyMounts', n, on),
    setInstallFailure: (n: string, r: string | null) => log('setInstallFailure', n, r),
    setImagePullFailure: (n: string, r: string | null) => log('setImagePullFailure', n, r),
    setLeaveFailures: (n: string, times: number | null, applied?: boolean) =>
      log('setLeaveFailures', n, times, applied ?? null),
    removeMemberOf: (n: string, via: string) => {
      log('removeMemberOf', n, via);
      const id = members.get(n);
      if (id === undefined) return `${n} has no etcd member`;
      if (fw.refuseRemove) return `remove ${id} via ${via} failed: unhealthy`;
      members.delete(n);
      return `removed ${id} (${n}) via ${via}`;
    },
    etcd: {
      memberByName: (n: string) => (members.has(n) ? { id: members.get(n) } : undefined),
      hasMember: (id: string) => [...members.values()].includes(id),
    },
  };
  fw.ctx = { world: world as unknown as World, scheduler, trace: trace as FaultContext['trace'], registry };
  return fw;
}

// The worlds the safety properties draw from, TigerBeetle style: the seed picks the options first (Talos
// rules, bootloader, cluster size, policy), then a timed fault schedule for that very cluster, with
// overlapping faults, one-way and peer-only cuts, wipes and failed boots. A drawn world is a scenario file
// (`worldText`), so a failing case is printed as the YAML that `upgradelab run` reproduces.
//
// Shrinking goes towards the first option listed (talos-1.8 rules, the `talos` bootloader, the smallest
// cluster, the plain talosctl policy) and towards fewer, earlier, shorter faults (sim/testing/).
import fc from 'fast-check';
import type { etcdServiceMachine } from '../../models/etcd-service.js';
import type { nodeMachine } from '../../models/node.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { simulate, type SimulateResult } from '../../sim/simulate.js';
import type { TraceEvent } from '../../sim/trace/types.js';
import { scenarioText } from '../../sim/testing/counterexample.js';
import { clusterNames } from '../../sim/testing/cluster.js';
import { faultSchedule, type FaultEntry, type ScheduleFaultKind } from '../../sim/testing/fault-schedule.js';

/** Start and target version per rule set (F§3: the running version picks the rules). */
export const VERSIONS = {
  'talos-1.8': { from: 'v1.8.0', to: 'v1.9.0' },
  'talos-1.7': { from: 'v1.7.6', to: 'v1.8.0' },
  'talos-1.13': { from: 'v1.13.0', to: 'v1.14.0' },
} as const;
export type Rules = keyof typeof VERSIONS;
export const RULES = Object.keys(VERSIONS) as Rules[];
export const BOOTLOADERS = ['talos', 'sd-boot', 'grub-tentative', 'boot-counting'] as const;
export type Bootloader = (typeof BOOTLOADERS)[number];

/** Simulated timeline shared by every world: the upgrade starts at 5m, faults stop at 45m. */
const UPGRADE_AT_MS = 5 * 60_000;
export const FAULTS_FROM_MS = 4 * 60_000;
export const FAULTS_UNTIL_MS = 45 * 60_000;

export type PolicyFields = Record<string, string | number | boolean>;

export interface WorldDraw {
  rules: Rules;
  bootloader: Bootloader;
  controlPlanes: number;
  workers: number;
  policy: PolicyFields;
  faults: FaultEntry[];
  seed: number;
}

export interface WorldOptions {
  rules?: readonly Rules[];
  bootloaders?: readonly Bootloader[];
  controlPlanes?: { min: number; max: number };
  workers?: { min: number; max: number };
  /** Policies to draw (first = simplest); default: the plain talosctl preset. */
  policies?: readonly PolicyFields[];
  kinds?: readonly ScheduleFaultKind[];
  /** At most this many faults at once, or a rule from the number of control planes. */
  maxConcurrent?: number | ((controlPlanes: number) => number);
  maxFaults?: number;
  /** The longest gap between faults of one lane (default 4 min; shorter packs faults together). */
  maxGapMs?: number;
  /** The longest fault (default 4 min). */
  maxDurationMs?: number;
  /** Keep only the worlds this accepts (a property's precondition, stated on the draw). */
  accept?: (d: WorldDraw) => boolean;
  /** Failed boots fail once, always, or either (default either). */
  failedBootTimes?: 'once' | 'always' | 'both';
  /** Failed-boot stages per bootloader (the target image fails there); required when kinds has failedBoot. */
  failedBootStages?: (bootloader: Bootloader, policy: PolicyFields) => readonly string[];
}

export const TALOSCTL: PolicyFields = { preset: 'talosctl' };

/** The options come from the seed first, then a fault schedule drawn for exactly that cluster. */
export function worldArb(o: WorldOptions = {}): fc.Arbitrary<WorldDraw> {
  const config = fc.record({
    rules: fc.constantFrom(...(o.rules ?? RULES)),
    bootloader: fc.constantFrom(...(o.bootloaders ?? BOOTLOADERS)),
    controlPlanes: fc.integer(o.controlPlanes ?? { min: 3, max: 5 }),
    workers: fc.integer(o.workers ?? { min: 0, max: 2 }),
    policy: fc.constantFrom(...(o.policies ?? [TALOSCTL])),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  });
  const worlds = config.chain((c) => {
    const names = clusterNames(c.controlPlanes, c.workers);
    const kinds = o.kinds ?? ['powerLoss', 'isolate'];
    const stages = o.failedBootStages?.(c.bootloader, c.policy) ?? ['init'];
    return faultSchedule({
      nodes: [...names.cp, ...names.w],
      controlPlanes: names.cp,
      kinds,
      fromMs: FAULTS_FROM_MS,
      untilMs: FAULTS_UNTIL_MS,
      maxConcurrent:
        typeof o.maxConcurrent === 'function' ? o.maxConcurrent(c.controlPlanes) : (o.maxConcurrent ?? 2),
      maxFaults: o.maxFaults ?? 4,
      maxGapMs: o.maxGapMs ?? 4 * 60_000,
      durationMs: { min: 10_000, max: o.maxDurationMs ?? 4 * 60_000 },
      failedBoot: { version: VERSIONS[c.rules].to, stages, times: o.failedBootTimes ?? 'both' },
    }).map((faults): WorldDraw => ({ ...c, faults }));
  });
  const accept = o.accept;
  return accept ? worlds.filter((d) => accept(d)) : worlds;
}

const BASE = `name: property-world
seed: 1
duration: 100m
liveness: { faultsUntil: 45m, bound: 55m }
bootloader: talos
cluster: { controlPlanes: 3, workers: 0, version: v1.8.0 }
upgrade: { to: v1.9.0, at: ${UPGRADE_AT_MS / 60_000}m, policy: { preset: talosctl } }
workload: { etcdWritesPerSecond: 1 }
invariants: [quorum, bootable, rollback, durability, single-upgrader, convergence]
checkpointEvery: 100m
`;

/** The drawn world as a scenario file. */
export function worldText(d: WorldDraw, extra: { quorumTolerateFaults?: boolean } = {}): string {
  const v = VERSIONS[d.rules];
  let text = scenarioText(BASE, {
    seed: d.seed,
    faults: d.faults,
    cluster: {
      cluster: { controlPlanes: d.controlPlanes, workers: d.workers, version: v.from },
      bootloader: d.bootloader,
      controlPlaneNames: [],
      workerNames: [],
    },
  });
  text = text.replace(/^upgrade: .*$/m, `upgrade: { to: ${v.to}, at: 5m, policy: ${flow(d.policy)} }`);
  if (extra.quorumTolerateFaults === false) text += 'quorumTolerateFaults: false\n';
  return text;
}

function flow(p: PolicyFields): string {
  return `{ ${Object.entries(p)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ')} }`;
}

/** Broken models a canary passes in (test code only; production never sees them). */
export interface Hooks {
  nodeMachine?: typeof nodeMachine;
  etcdServiceMachine?: typeof etcdServiceMachine;
}

export function runWorld(
  d: WorldDraw,
  hooks: Hooks = {},
  extra = {},
  onEvent?: (e: TraceEvent) => void,
): SimulateResult {
  return simulate(parseScenario(worldText(d, extra), 'property-world.yaml'), {
    checkpoints: false,
    trace: false,
    ...hooks,
    ...(onEvent ? { onEvent } : {}),
  });
}

/** Throw (with the file that reproduces it) when `invariant` is violated. */
export function assertInvariant(
  d: WorldDraw,
  r: SimulateResult,
  invariant: string,
  extra: { quorumTolerateFaults?: boolean } = {},
): void {
  const v = r.violations.find((x) => x.invariant === invariant);
  if (v) {
    throw new Error(
      `${invariant} violated at ${v.t} ms: ${v.message}\n` +
        `reproduce: save this as case.yaml and run \`upgradelab run case.yaml\`\n${worldText(d, extra)}`,
    );
  }
}

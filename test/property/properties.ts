// The six safety and liveness properties the suite holds the models to, each over worlds drawn from the
// seed (world.ts). Each names the invariant it checks, the space it draws from, and why a correct cluster
// must satisfy it there: a property that holds only because its space is too small to hurt is a defect,
// so each one has a planted bug (canaries.ts) that it must catch.
import fc from 'fast-check';
import type { SimulateResult } from '../../sim/simulate.js';
import type { TraceEvent } from '../../sim/trace/types.js';
import {
  assertInvariant,
  runWorld,
  TALOSCTL,
  worldArb,
  worldText,
  type Bootloader,
  type Hooks,
  type PolicyFields,
  type WorldDraw,
  type WorldOptions,
} from './world.js';

export interface PropertyDef {
  name: string;
  /** The invariant that must hold; null when the oracle alone judges (it may expect violations). */
  invariant: string | null;
  world: WorldOptions;
  /**
   * Runs per CI test: at least the runs its canaries need (canaries.ts), so that the same bug planted by
   * hand in the source turns this property red; small enough for 2 shared cores.
   */
  numRuns: number;
  /** quorumTolerateFaults: false for the strict quorum property. */
  strict?: boolean;
  /**
   * A second, independent oracle besides the invariant: it watches the run's events and says what went
   * wrong, or null.
   */
  oracle?: () => {
    onEvent: (e: TraceEvent) => void;
    verdict: (r: SimulateResult, d: WorldDraw) => string | null;
  };
}

/**
 * Liveness has a price list: every fault on a node costs the rollout at most one rolled-back attempt on
 * that node (F§2: a boot-once fault is spent by the boot that hits it, so the retry boots). More attempts
 * than faults means something that should have healed did not.
 */
function attemptsPerFault() {
  const cameBack = new Map<string, number>();
  return {
    onEvent(e: TraceEvent): void {
      if (e.type === 'orchestrator' && e.step === 'retry' && e.node && /^came back on/.test(e.detail ?? ''))
        cameBack.set(e.node, (cameBack.get(e.node) ?? 0) + 1);
    },
    verdict(_r: SimulateResult, d: WorldDraw): string | null {
      for (const [node, n] of cameBack) {
        const faults = d.faults.filter((f) => f.node === node || f.isolate === node).length;
        if (n > faults)
          return `${node} came back on its old version ${n} times after ${faults} fault(s) on it`;
      }
      return null;
    },
  };
}

/**
 * F§3/F§4: a member that joins an existing cluster joins as a learner (only the bootstrap members start as
 * voters); adding an empty member straight as a voter counts a member with no log in the quorum.
 */
function joinsAsLearner() {
  const bad: string[] = [];
  return {
    onEvent(e: TraceEvent): void {
      if (e.type === 'etcd.member' && e.change === 'added' && e.t > 0 && e.detail !== 'learner')
        bad.push(`${e.member} (${e.node}) added as ${e.detail ?? '?'} at ${e.t} ms`);
    },
    verdict: (): string | null => (bad.length ? `joined without the learner step: ${bad[0]}` : null),
  };
}

/** How many distinct nodes the schedule wipes (plain wipes and resets). */
function wipedNodes(d: WorldDraw): number {
  return new Set(d.faults.filter((f) => f.type === 'diskWipe').map((f) => f.node)).size;
}

/** Bootloaders that catch a kernel panic (a bootloader revert, F§2); talos and sd-boot boot-loop on one. */
const catchesPanic = (b: Bootloader): readonly string[] =>
  b === 'grub-tentative' || b === 'boot-counting' ? ['init', 'kernel'] : ['init'];

/** Every policy field a correct rollout may vary that keeps one node at a time behind a health gate. */
const GATED: readonly PolicyFields[] = [
  TALOSCTL,
  // `force` skips the pre-checks (F§3): the health gate alone keeps the rollout safe.
  { preset: 'talosctl', force: true },
  { preset: 'talosctl', rebootMode: 'powercycle' },
  { preset: 'talosctl', preserve: true },
  { preset: 'talosctl', order: 'workers-first', onFailure: 'continue' },
  { preset: 'talosctl', retries: 2, onFailure: 'skip' },
  { preset: 'talosctl', stage: true },
];

const CUTS = ['powerLoss', 'isolate', 'oneWayCut', 'peerCut'] as const;

export const PROPERTIES: Record<string, PropertyDef> = {
  // F§4: quorum = floor(n/2)+1 voters. One node is down for its upgrade, so the faults may take out at
  // most tolerance - 1 control planes at once for a gated rollout to keep quorum (5 and 6 control planes:
  // one fault at a time; 7: two). Beyond the tolerance the invariant excuses the faults.
  quorum: {
    name: 'a health-gated rollout keeps etcd quorum while faults stay within the room it leaves',
    invariant: 'quorum',
    world: {
      controlPlanes: { min: 5, max: 6 },
      workers: { min: 0, max: 1 },
      maxConcurrent: (cps) => Math.max(1, Math.floor((cps - 1) / 2) - 1),
      kinds: [...CUTS, 'failedBoot'],
      failedBootStages: catchesPanic,
      policies: GATED,
    },
    numRuns: 120,
  },
  // The same invariant with `quorumTolerateFaults: false`: no excuse at all, so every moment without a
  // leader is a violation. The oracle is the run's own measured time without quorum (metrics), kept apart
  // from the invariant: the two must agree. Any cluster, up to three overlapping faults.
  'quorum-strict': {
    name: 'without the fault excuse, every moment without quorum is reported',
    invariant: null,
    strict: true,
    world: {
      controlPlanes: { min: 1, max: 5 },
      workers: { min: 0, max: 1 },
      maxConcurrent: 3,
      kinds: [...CUTS, 'diskWipe'],
      policies: GATED,
    },
    numRuns: 25,
    oracle: () => ({
      onEvent: () => undefined,
      verdict: (r) => {
        const reported = r.violations.some((v) => v.invariant === 'quorum');
        const lostMs = r.metrics.timeWithoutQuorumMs;
        if (lostMs > 0 && !reported) return `${lostMs} ms without quorum, but no quorum violation`;
        if (lostMs === 0 && reported) return 'a quorum violation, but no time without quorum';
        return null;
      },
    }),
  },
  // F§2: a failed new slot comes back on the previous one within the bootloader's tries.
  rollback: {
    name: 'a node whose new image fails comes back within its bootloader profile tries',
    invariant: 'rollback',
    world: {
      controlPlanes: { min: 1, max: 5 },
      kinds: ['failedBoot', 'powerLoss', 'isolate', 'failedBoot'],
      failedBootStages: catchesPanic,
      policies: GATED,
    },
    numRuns: 40,
  },
  bootable: {
    name: 'every node keeps a slot that can boot, whatever the faults',
    invariant: 'bootable',
    world: {
      controlPlanes: { min: 1, max: 5 },
      kinds: [...CUTS, 'failedBoot', 'diskWipe', 'bootPartitionFull', 'installFails'],
      failedBootStages: () => ['init', 'powercycle'],
      policies: GATED,
      maxConcurrent: 3,
      maxFaults: 5,
    },
    numRuns: 40,
  },
  // F§4: acknowledged writes survive unless a wiped member restarts under its old identity; the
  // learner rejoin (F§3) never does that, whatever is wiped or cut.
  durability: {
    name: 'every acknowledged etcd write survives wipes, resets, cuts and power losses; rejoins go through a learner',
    invariant: 'durability',
    world: {
      controlPlanes: { min: 3, max: 4 },
      workers: { min: 0, max: 0 },
      // Wipes come with their reboot (a reset, F§1): a bare EPHEMERAL wipe under a running etcd restarts
      // the member on an empty dir under its old identity (F§3: the service restarts with the same
      // arguments), which F§4 says can lose writes by itself; the property found that too, and
      // bare-wipe-does-not-heal-etcd.yaml is its regression scenario.
      kinds: ['isolate', 'wipeReboot', 'powerLoss', 'oneWayCut', 'peerCut'],
      policies: GATED,
      // Faults packed close together, so that a wipe lands while the other members lag or are down (F§4:
      // a stale log can then win an election).
      maxConcurrent: 3,
      maxFaults: 5,
      maxGapMs: 30_000,
      maxDurationMs: 2 * 60_000,
      // Precondition: the wipes leave a majority of the members' data (F§4: a committed entry is on a
      // majority; wiping a majority loses it whatever the cluster does). The property found this itself:
      // two of three members wiped within 11 s lost a write, through no fault of the rejoin.
      accept: (d) => wipedNodes(d) <= Math.floor((d.controlPlanes - 1) / 2),
    },
    numRuns: 60,
    oracle: joinsAsLearner,
  },
  // F§3: the pre-checks' upgrade mutex plus a one-at-a-time policy keep control planes sequential.
  'single-upgrader': {
    name: 'at most one control plane is mid-upgrade',
    invariant: 'single-upgrader',
    world: {
      controlPlanes: { min: 2, max: 5 },
      kinds: [...CUTS, 'failedBoot', 'installFails', 'busyMounts'],
      failedBootStages: catchesPanic,
      // One at a time without a gate too: `parallel: 1` alone must keep control planes sequential.
      policies: [
        ...GATED,
        { preset: 'talosctl', healthGate: false },
        { preset: 'talosctl', healthGate: false, force: true, onFailure: 'continue' },
      ],
    },
    numRuns: 25,
  },
  // Liveness (F§7, VOPR): faults that end, then a healed cluster must converge within the bound.
  convergence: {
    name: 'after transient faults the cluster converges on the target version',
    invariant: 'convergence',
    world: {
      controlPlanes: { min: 3, max: 5 },
      kinds: ['failedBoot', ...CUTS, 'failedBoot'],
      failedBootTimes: 'once',
      // An image the firmware cannot load once (T#11909) is spent on the rollout's own power-cycle reboot
      // and the retry boots it. Not with kexec reboots (the fault would lie in wait for a later power loss
      // whose GRUB fallback leaves the node behind, t11909-fixed-fallback-sticks), and not with sd-boot,
      // which waits at its menu for an operator (F§2).
      failedBootStages: (b, p) =>
        b !== 'sd-boot' && p.rebootMode === 'powercycle'
          ? [...catchesPanic(b), 'powercycle']
          : catchesPanic(b),
      // Enough retries to outlast refused pre-checks while a fault lasts (30 s apart, faults <= 4 min)
      // and the failed boots: a real operator would keep retrying too.
      policies: [
        { preset: 'talosctl', retries: 20 },
        { preset: 'talosctl', retries: 20, rebootMode: 'powercycle' },
      ],
    },
    numRuns: 60,
    oracle: attemptsPerFault,
  },
};

/** The fast-check property of one definition, against the real models or a canary's broken ones. */
export function propertyOf(
  def: PropertyDef,
  hooks: Hooks = {},
  policy?: (drawn: PolicyFields) => PolicyFields,
): fc.IPropertyWithHooks<[WorldDraw]> {
  const arb = policy
    ? worldArb(def.world).map((d) => ({ ...d, policy: policy(d.policy) }))
    : worldArb(def.world);
  return fc.property(arb, (d) => checkWorld(def, d, hooks));
}

/** A fixed seed, so CI is reproducible; PROPERTY_SEED explores other seeds locally. */
export const PROPERTY_SEED = Number(process.env.PROPERTY_SEED ?? 20261129);
/** Per property test: a few hundred whole simulations on 2 shared cores. */
export const PROPERTY_TIMEOUT_MS = 240_000;

export function checkWorld(def: PropertyDef, d: WorldDraw, hooks: Hooks = {}): void {
  const extra = def.strict ? { quorumTolerateFaults: false } : {};
  const oracle = def.oracle?.();
  const r = runWorld(d, hooks, extra, oracle?.onEvent);
  if (def.invariant !== null) assertInvariant(d, r, def.invariant, extra);
  const why = oracle?.verdict(r, d);
  if (why) throw new Error(`${def.invariant ?? 'oracle'}: ${why}\n${worldText(d, extra)}`);
}

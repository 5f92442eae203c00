// A fast-check arbitrary of timed fault schedules, written in the scenario file's own words: every
// element is one entry of a scenario's `faults:` list (`{ at: 7m, type: powerLoss, node: cp2,
// duration: 3m }`). A failing schedule is therefore already an editable scenario file (see
// counterexample.ts); nothing has to be translated back from internal types.
//
// Shrinking (fast-check shrinks each part towards its simplest value): fewer faults (the array),
// earlier faults (each gap shrinks to 0), shorter faults (durations shrink to their minimum), the first
// node and the first kind listed, and lane 0 (so concurrent faults shrink into sequential ones).
import fc from 'fast-check';
import { formatMs } from '../engine/duration.js';

import { CONTROL_PLANE_ONLY, SCHEDULE_FAULT_KINDS, type ScheduleFaultKind } from './fault-kinds.js';

export { SCHEDULE_FAULT_KINDS, type ScheduleFaultKind };

/** One entry of a scenario's `faults:` list. */
export type FaultEntry = Record<string, string | number | boolean | string[][] | null>;

export interface FaultScheduleOptions {
  /** Every node a fault may hit. */
  nodes: readonly string[];
  /** The control-plane nodes among them (etcd faults are drawn on these only). */
  controlPlanes: readonly string[];
  /** Kinds to draw, in shrink order (the first is the simplest); default: powerLoss and isolate. */
  kinds?: readonly ScheduleFaultKind[];
  /** Faults start inside [fromMs, untilMs]; the run's liveness phase should begin after untilMs. */
  fromMs: number;
  untilMs: number;
  /** At most this many faults at once (default 1). */
  maxConcurrent?: number;
  /** At most this many faults in all (default 4). */
  maxFaults?: number;
  /** Duration bounds of faults that have one (default 10 s .. 5 min). */
  durationMs?: { min: number; max: number };
  /** The largest gap between two faults of one lane (default 5 min). */
  maxGapMs?: number;
  /**
   * failedBoot: the image version that fails (the upgrade target), the stages to draw, and whether it
   * fails `once`, `always` or either (default `both`; a liveness property wants faults that end: `once`).
   */
  failedBoot?: { version: string; stages: readonly string[]; times?: 'once' | 'always' | 'both' };
}

interface Step {
  lane: number;
  gapMs: number;
  kind: ScheduleFaultKind;
  node: number;
  via: number;
  durationMs: number;
  stage: number;
  oneShot: boolean;
}

function requireOption(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(`faultSchedule: ${message}`);
}

/** Lay the steps out on their lanes and turn each into a scenario `faults:` entry. Pure; exported for tests. */
export function layOut(
  steps: readonly Step[],
  o: Required<Omit<FaultScheduleOptions, 'failedBoot'>> & {
    failedBoot: FaultScheduleOptions['failedBoot'];
  },
): FaultEntry[] {
  const laneFreeAt: number[] = Array.from({ length: o.maxConcurrent }, () => o.fromMs);
  const out: { atMs: number; entry: FaultEntry }[] = [];
  for (const s of steps) {
    const lane = s.lane % o.maxConcurrent;
    const atMs = (laneFreeAt[lane] ?? o.fromMs) + s.gapMs;
    if (atMs > o.untilMs) continue;
    // The budget counts file entries: a reset is two (the wipe and its reboot).
    if (out.length + (s.kind === 'wipeReboot' ? 2 : 1) > o.maxFaults) continue;
    const cpKind = CONTROL_PLANE_ONLY.has(s.kind);
    const pool = cpKind ? o.controlPlanes : o.nodes;
    const node = pool[s.node % pool.length]!;
    // A fault with a duration must end by untilMs, so the liveness phase starts from a healed cluster.
    const durationMs = Math.min(s.durationMs, Math.max(1_000, o.untilMs - atMs));
    const at = formatMs(atMs);
    const duration = formatMs(durationMs);
    let entry: FaultEntry;
    let busyMs = durationMs;
    switch (s.kind) {
      case 'powerLoss':
        entry = { at, type: 'powerLoss', node, duration };
        break;
      case 'isolate':
        entry = { at, type: 'partition', isolate: node, duration };
        break;
      case 'oneWayCut':
        entry = { at, type: 'partition', isolate: node, oneWay: true, duration };
        break;
      case 'peerCut':
        entry = { at, type: 'partition', isolate: node, ports: 'peer', duration };
        break;
      case 'failedBoot': {
        const fb = o.failedBoot!;
        const stage = fb.stages[s.stage % fb.stages.length]!;
        const once = fb.times === 'once' || (fb.times !== 'always' && s.oneShot);
        entry = { at, type: 'failedBoot', node, version: fb.version, stage, times: once ? 1 : 'always' };
        busyMs = 0;
        break;
      }
      case 'diskWipe':
        entry = { at, type: 'diskWipe', node, label: 'EPHEMERAL' };
        busyMs = 0;
        break;
      case 'bootPartitionFull':
      case 'installFails':
      case 'busyMounts':
      case 'imagePullFails':
        entry = { at, type: s.kind, node, duration };
        break;
      case 'wipeReboot': {
        // A reset as an operator does it (F§1): EPHEMERAL wiped, then the node reboots (a power cycle one
        // second later), so etcd's pre-start finds the empty data dir and rejoins (F§3).
        entry = { at, type: 'diskWipe', node, label: 'EPHEMERAL' };
        const rebootMs = atMs + 1_000;
        out.push({
          atMs: rebootMs,
          entry: { at: formatMs(rebootMs), type: 'powerLoss', node, duration: '10s' },
        });
        busyMs = 11_000;
        break;
      }
      case 'etcdLeaveFails':
        entry = { at, type: 'etcdLeaveFails', node, times: s.oneShot ? 1 : 'always' };
        busyMs = 0;
        break;
      case 'etcdRemoveMember': {
        const others = o.controlPlanes.filter((n) => n !== node);
        if (others.length === 0) continue;
        entry = { at, type: 'etcdRemoveMember', node, via: others[s.via % others.length]! };
        busyMs = 0;
        break;
      }
    }
    laneFreeAt[lane] = atMs + busyMs;
    out.push({ atMs, entry });
  }
  // Stable order by start time: the file reads as a timeline, and equal inputs give equal files.
  return out.sort((a, b) => a.atMs - b.atMs).map((x) => x.entry);
}

/** An arbitrary of fault schedules (lists of scenario `faults:` entries) within the given limits. */
export function faultSchedule(options: FaultScheduleOptions): fc.Arbitrary<FaultEntry[]> {
  const o = {
    kinds: options.kinds ?? (['powerLoss', 'isolate'] as const),
    maxConcurrent: options.maxConcurrent ?? 1,
    maxFaults: options.maxFaults ?? 4,
    durationMs: options.durationMs ?? { min: 10_000, max: 5 * 60_000 },
    maxGapMs: options.maxGapMs ?? 5 * 60_000,
    nodes: options.nodes,
    controlPlanes: options.controlPlanes,
    fromMs: options.fromMs,
    untilMs: options.untilMs,
    failedBoot: options.failedBoot,
  };
  requireOption(o.nodes.length > 0, 'nodes must not be empty');
  requireOption(o.kinds.length > 0, 'kinds must not be empty');
  requireOption(
    o.controlPlanes.every((n) => o.nodes.includes(n)),
    'every control plane must be one of the nodes',
  );
  requireOption(
    !o.kinds.some((k) => CONTROL_PLANE_ONLY.has(k)) || o.controlPlanes.length > 0,
    'etcd faults need at least one control plane',
  );
  requireOption(
    !o.kinds.includes('failedBoot') || o.failedBoot !== undefined,
    'failedBoot needs failedBoot.version',
  );
  requireOption(
    Number.isInteger(o.maxConcurrent) && o.maxConcurrent >= 1,
    'maxConcurrent must be an integer >= 1',
  );
  requireOption(Number.isInteger(o.maxFaults) && o.maxFaults >= 0, 'maxFaults must be an integer >= 0');
  requireOption(o.fromMs >= 0 && o.untilMs >= o.fromMs, 'need 0 <= fromMs <= untilMs');
  requireOption(
    o.durationMs.min >= 1_000 && o.durationMs.max >= o.durationMs.min,
    'need 1000 <= durationMs.min <= durationMs.max',
  );
  const step: fc.Arbitrary<Step> = fc.record({
    lane: fc.nat({ max: o.maxConcurrent - 1 }),
    gapMs: fc.nat({ max: o.maxGapMs }),
    kind: fc.constantFrom(...o.kinds),
    node: fc.nat({ max: o.nodes.length - 1 }),
    via: fc.nat({ max: Math.max(0, o.controlPlanes.length - 2) }),
    durationMs: fc.integer({ min: o.durationMs.min, max: o.durationMs.max }),
    stage: fc.nat({ max: Math.max(0, (o.failedBoot?.stages.length ?? 1) - 1) }),
    oneShot: fc.boolean().map((b) => !b),
  });
  return fc.array(step, { maxLength: o.maxFaults }).map((steps) => layOut(steps, o));
}

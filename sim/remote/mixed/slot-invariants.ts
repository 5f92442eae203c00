// The slot invariants of a mixed run: bootable, rollback and version-skew, evaluated for every node — the
// attached ones from what their agents serve (Lab.SlotState read from the disk folders, Lab.Events for
// machine states), the simulated ones from their world — with the same rules as a simulated run's
// (sim/invariants/bootable.ts, rollback.ts, version-skew.ts; F§2). A mixed run sees a node through samples
// and event streams rather than after every event, so each check runs when a sample or a state arrives.
// A violation is reported once per episode: when a check goes from clean to violated.
import { hasBootableSlot } from '../../../models/bootloader.js';
import type { Disk } from '../../../models/types.js';
import type { SlotState } from '../../api/node-api.js';
import { FAILED_BOOT_STATES } from '../../invariants/rollback.js';
import { minorOf } from '../../invariants/version-skew.js';
import type { InvariantName } from '../../scenario/types.js';

export interface SlotFinding {
  invariant: InvariantName;
  nodes: string[];
  message: string;
}

/** The slots of a sample as the model's Disk (hasBootableSlot reads the slots only). */
function diskOf(s: SlotState): Disk {
  return {
    boot: s.slots,
    bootloader: s.bootloader,
    meta: s.meta,
    state: null,
    ephemeral: { etcd: null, userData: false },
  };
}

function slotsText(s: SlotState): string {
  return (['A', 'B'] as const)
    .map((l) => {
      const i = s.slots[l];
      return `${l}=${i ? `${i.version}${i.intact ? '' : '(torn)'}` : 'empty'}`;
    })
    .join(' ');
}

export class SlotInvariants {
  private readonly unbootable = new Set<string>();
  /** node -> the first failed boot not yet followed by Running (rollback). */
  private readonly failedSince = new Map<string, { t: number; version: string; reported: boolean }>();
  /** node -> the minor version it runs (version-skew), only while Running. */
  private readonly runningMinor = new Map<string, { minor: number; version: string }>();
  private skewReported = false;
  /** Nodes whose machine states come from events; their samples no longer feed states. */
  private readonly eventFed = new Set<string>();

  constructor(
    /** Every node, in scenario order (violations list nodes in that order). */
    private readonly order: readonly string[],
    private readonly wanted: ReadonlySet<InvariantName>,
    /** sim/invariants/index.ts rollbackBoundMs for the scenario. */
    private readonly rollbackBoundMs: number,
  ) {}

  /**
   * A machine state of `node` at model time `t`. From the node's event stream (or the simulated world's
   * trace) with `fromEvents`; from a sample otherwise, which counts only until the node's events arrive
   * (a sample taken before an event may be answered after it).
   */
  onState(
    node: string,
    state: string,
    version: string | null,
    t: number,
    fromEvents: boolean,
  ): SlotFinding[] {
    if (fromEvents) this.eventFed.add(node);
    else if (this.eventFed.has(node)) return [];
    const out: SlotFinding[] = [];
    if (this.wanted.has('rollback')) {
      if (state === 'running') this.failedSince.delete(node);
      else if (FAILED_BOOT_STATES.has(state) && !this.failedSince.has(node))
        this.failedSince.set(node, { t, version: version ?? '?', reported: false });
    }
    if (this.wanted.has('version-skew')) {
      const m = state === 'running' && version ? minorOf(version) : null;
      if (m === null || version === null) this.runningMinor.delete(node);
      else this.runningMinor.set(node, { minor: m, version });
      const skew = this.skew();
      if (skew && !this.skewReported) out.push(skew);
      this.skewReported = skew !== null;
    }
    return out;
  }

  private skew(): SlotFinding | null {
    type Seen = { node: string; minor: number; version: string };
    let lo: Seen | null = null;
    let hi: Seen | null = null;
    for (const node of this.order) {
      const r = this.runningMinor.get(node);
      if (!r) continue;
      if (!lo || r.minor < lo.minor) lo = { node, ...r };
      if (!hi || r.minor > hi.minor) hi = { node, ...r };
    }
    if (!lo || !hi || hi.minor - lo.minor <= 1) return null;
    return {
      invariant: 'version-skew',
      nodes: [lo.node, hi.node],
      message: `version skew: ${lo.node} runs ${lo.version} while ${hi.node} runs ${hi.version}`,
    };
  }

  /** A sample of one node's slot state (bootable), also a state when no events come for it. */
  onSample(node: string, s: SlotState, t: number): SlotFinding[] {
    const out = this.onState(node, s.state, s.version, t, false);
    if (!this.wanted.has('bootable')) return out;
    // As a simulated run's monitor: one violation when the set of unbootable nodes becomes non-empty.
    const before = this.unbootable.size;
    if (hasBootableSlot(diskOf(s), s.bootFaults)) this.unbootable.delete(node);
    else this.unbootable.add(node);
    if (before === 0 && this.unbootable.size > 0)
      out.push({
        invariant: 'bootable',
        nodes: [node],
        message: `${node} has no slot that can boot (${slotsText(s)}, as its disk reads)`,
      });
    return out;
  }

  /** The rollback deadlines that have passed by `t` (call it on every sample tick). */
  deadlines(t: number): SlotFinding[] {
    const out: SlotFinding[] = [];
    for (const node of this.order) {
      const f = this.failedSince.get(node);
      if (!f || f.reported || t - f.t < this.rollbackBoundMs) continue;
      f.reported = true;
      out.push({
        invariant: 'rollback',
        nodes: [node],
        message: `${node} failed to boot ${f.version} at ${f.t} ms and is not running again ${this.rollbackBoundMs} ms later`,
      });
    }
    return out;
  }
}

// The node API of a mixed run: one NodeApi whose attached nodes are reached over gRPC (the agents) and whose
// other nodes are the simulated world's, so the orchestrator drives both unchanged. Its clock is the run's
// wall clock scaled by `speed` (model ms per wall-clock ms, the agents' --speed), the same time line the
// simulated scheduler is advanced to; this file lives in sim/remote/ because it reads a real clock.
import type {
  EtcdHealth,
  NodeApi,
  NodeStatus,
  Reply,
  ResetOptions,
  SlotState,
  UpgradeOptions,
  WipeLabel,
} from '../../api/node-api.js';
import type { BootFailStage, RebootMode } from '../../../models/types.js';

/** Model ms on a wall clock: `now()` runs `speed` times faster than real time, from the run's start. */
export class ScaledClock {
  private readonly startWallMs = Date.now();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(readonly speed: number) {
    if (!(speed > 0)) throw new RangeError(`ScaledClock: speed must be > 0, got ${speed}`);
  }

  now(): number {
    return Math.floor((Date.now() - this.startWallMs) * this.speed);
  }

  /** Run `fn` after `modelMs` of model time on a real timer; nothing fires once stopped. */
  after(modelMs: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        if (!this.stopped) fn();
      },
      Math.max(0, modelMs) / this.speed,
    );
    this.timers.add(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

export class MixedNodeApi implements NodeApi {
  constructor(
    /** Every node in scenario order. */
    private readonly order: readonly string[],
    private readonly attached: ReadonlySet<string>,
    private readonly real: NodeApi,
    private readonly simulated: NodeApi,
    private readonly clock: ScaledClock,
  ) {
    for (const n of order)
      if (!attached.has(n) && !simulated.nodes().includes(n))
        throw new Error(`MixedNodeApi: node '${n}' is neither attached nor simulated`);
  }

  private of(node: string): NodeApi {
    return this.attached.has(node) ? this.real : this.simulated;
  }

  nodes(): readonly string[] {
    return this.order;
  }

  now(): number {
    return this.clock.now();
  }

  after(delayMs: number, fn: () => void): void {
    this.clock.after(delayMs, fn);
  }

  status(node: string, reply: Reply<NodeStatus>): void {
    this.of(node).status(node, reply);
  }

  slotState(node: string, reply: Reply<SlotState>): void {
    const api = this.of(node);
    if (!api.slotState)
      return reply({ ok: false, error: `slot state: not served for ${node}`, definite: true });
    api.slotState(node, reply);
  }

  upgrade(node: string, options: UpgradeOptions, reply: Reply<string>): void {
    this.of(node).upgrade(node, options, reply);
  }

  rollback(node: string, reply: Reply<string>): void {
    this.of(node).rollback(node, reply);
  }

  reboot(node: string, mode: RebootMode, reply: Reply<string>): void {
    this.of(node).reboot(node, mode, reply);
  }

  /** etcd is real in a mixed run: a simulated node has no member, so its view is asked of the real side. */
  etcdHealth(node: string, reply: Reply<EtcdHealth>): void {
    if (this.attached.has(node)) return this.real.etcdHealth(node, reply);
    const cp = this.order.find((n) => this.attached.has(n));
    if (cp === undefined) return this.simulated.etcdHealth(node, reply);
    this.real.etcdHealth(cp, reply);
  }

  reset(node: string, options: ResetOptions, reply: Reply<string>): void {
    this.of(node).reset(node, options, reply);
  }

  etcdRemoveMember(node: string, memberId: string, reply: Reply<string>): void {
    this.of(node).etcdRemoveMember(node, memberId, reply);
  }

  powerOff(node: string, reply: Reply<string>): void {
    this.of(node).powerOff(node, reply);
  }

  powerOn(node: string, reply: Reply<string>): void {
    this.of(node).powerOn(node, reply);
  }

  wipe(node: string, label: WipeLabel, reply: Reply<string>): void {
    this.of(node).wipe(node, label, reply);
  }

  isolate(node: string, reply: Reply<string>): void {
    this.of(node).isolate(node, reply);
  }

  heal(node: string, reply: Reply<string>): void {
    this.of(node).heal(node, reply);
  }

  failNextBoot(node: string, version: string, stage: BootFailStage, reply: Reply<string>): void {
    this.of(node).failNextBoot(node, version, stage, reply);
  }
}

// Drives the real node machine on a virtual clock and plays the engine's part: etcd.start, precheck,
// etcd.leave, kube.api and kube.awaitNodeReady are answered through the scheduler (at the same virtual
// time), as the world would. Every emitted event is recorded with its virtual time. One helper for every
// node-model test: `new NodeHarness()` is a worker on a made-up version under an explicit `talos-1.8`
// override; `sequenceHarness()` is a control plane whose running version picks the rules (F§3).
import { expect } from 'vitest';
import { createActor } from 'xstate';
import { nodeMachine } from '../../models/node.js';
import type { NodeEmitted, NodeEvent, NodeTiming, UpgradeRequest } from '../../models/node.js';
import type { BootloaderProfile, RebootMode, Role, TalosProfile } from '../../models/types.js';
import { virtualClock } from '../../sim/engine/clock.js';
import { Scheduler } from '../../sim/engine/scheduler.js';

// Fixed, distinct stage lengths (min = max) make every timestamp exact, and a stale delay would show.
export const STAGE_MS = {
  firmware: 1_000,
  kernel: 2_000,
  init: 3_000,
  ready: 4_000,
  cordon: 5_000,
  drain: 6_000,
  install: 7_000,
};
const fixed = (ms: number) => ({ minMs: ms, maxMs: ms });
export const FIXED_TIMING: NodeTiming = {
  firmware: fixed(STAGE_MS.firmware),
  kernel: fixed(STAGE_MS.kernel),
  init: fixed(STAGE_MS.init),
  ready: fixed(STAGE_MS.ready),
  cordon: fixed(STAGE_MS.cordon),
  drain: fixed(STAGE_MS.drain),
  install: fixed(STAGE_MS.install),
};

/** Power on at t=0: firmware, kernel, init, then Running at 6 s and Ready at 10 s. */
export const RUNNING_AT = STAGE_MS.firmware + STAGE_MS.kernel + STAGE_MS.init;
export const READY_AT = RUNNING_AT + STAGE_MS.ready;

export type Stamped = NodeEmitted & { t: number };
export type Answer = { ok: boolean; reason: string };

export interface HarnessOptions {
  /** Default 'worker'. */
  role?: Role;
  /** The scenario override; default 'talos-1.8'; null lets the running version decide (F§3). */
  profile?: TalosProfile | null;
  bootloader?: BootloaderProfile;
  bootTries?: number;
  /** Default 'v1'. */
  version?: string;
  /** Default 'm1'. */
  etcdMemberId?: string | null;
  timing?: NodeTiming;
  rngSeed?: number;
  /** Answer etcd.start with ETCD_HEALTHY: always, never, or only while running the given versions. */
  etcdHealthy?: boolean | ((version: string) => boolean);
  /** The answer to the n-th pre-check (0-based). */
  precheck?: (n: number) => Answer;
  /** The answer to the n-th etcd leave (0-based). */
  leave?: (n: number) => Answer;
  /** The answer to cordon's and drain's Kubernetes API calls: default ok. */
  kubeApi?: (purpose: 'cordon' | 'drain') => Answer;
  /** Answer kube.awaitNodeReady with KUBE_NODE_READY (the API server works): default true. */
  kubeReady?: boolean;
}

export class NodeHarness {
  readonly scheduler = new Scheduler();
  readonly events: Stamped[] = [];
  readonly actor;
  private requestIdNext = 1;
  private prechecks = 0;
  private leaves = 0;

  constructor(private readonly opts: HarnessOptions = {}) {
    this.actor = createActor(nodeMachine, {
      clock: virtualClock(this.scheduler),
      input: {
        name: 'n1',
        role: opts.role ?? 'worker',
        profile: opts.profile === undefined ? 'talos-1.8' : opts.profile,
        bootloader: opts.bootloader ?? 'talos',
        bootTries: opts.bootTries ?? 3,
        timing: opts.timing ?? FIXED_TIMING,
        rngSeed: opts.rngSeed ?? 1,
        version: opts.version ?? 'v1',
        etcdMemberId: opts.etcdMemberId === undefined ? 'm1' : opts.etcdMemberId,
      },
    });
    this.actor.on('*', (e) => {
      this.events.push({ ...e, t: this.scheduler.now });
      this.answer(e);
    });
    this.actor.start();
  }

  private answer(e: NodeEmitted): void {
    switch (e.type) {
      case 'etcd.start': {
        const healthy = this.opts.etcdHealthy ?? true;
        if (typeof healthy === 'boolean' ? healthy : healthy(this.ctx.version ?? '')) {
          this.later({ type: 'ETCD_HEALTHY' });
        }
        return;
      }
      case 'precheck': {
        const a = (this.opts.precheck ?? (() => ({ ok: true, reason: 'ok' })))(this.prechecks++);
        this.later({ type: 'PRECHECK_RESULT', ok: a.ok, reason: a.reason });
        return;
      }
      case 'etcd.leave': {
        const a = (this.opts.leave ?? (() => ({ ok: true, reason: 'left' })))(this.leaves++);
        this.later({ type: 'ETCD_LEAVE_RESULT', ok: a.ok, reason: a.reason });
        return;
      }
      case 'kube.awaitNodeReady':
        if (this.opts.kubeReady ?? true) this.later({ type: 'KUBE_NODE_READY' });
        return;
      case 'kube.api': {
        const a = (this.opts.kubeApi ?? (() => ({ ok: true, reason: 'ok' })))(e.purpose);
        this.later({ type: 'KUBE_API_RESULT', ok: a.ok, reason: a.reason });
        return;
      }
      default:
        return;
    }
  }

  private later(event: NodeEvent): void {
    this.scheduler.after(0, () => this.actor.send(event));
  }

  get ctx() {
    return this.actor.getSnapshot().context;
  }

  matches(state: string): boolean {
    return this.actor.getSnapshot().matches(state as never);
  }

  send(event: NodeEvent): void {
    this.actor.send(event);
  }

  /** Send `event` at virtual time `t`. */
  at(t: number, event: NodeEvent): void {
    this.scheduler.at(t, () => this.actor.send(event));
  }

  /** Run every event up to and including virtual time `t`, then stand at `t`. */
  runUntil(t: number): void {
    this.scheduler.run({ maxEvents: 1_000_000, maxTimeMs: t });
    this.scheduler.advanceTo(Math.max(this.scheduler.now, t));
  }

  /** Power on at t=0 and run until the node is Ready on its first boot. */
  bootToReady(): void {
    this.send({ type: 'POWER_ON' });
    this.runUntil(READY_AT);
    expect(this.ctx.ready, 'Ready after the first boot').toBe(true);
  }

  /** An upgrade request (default: to v2, no preserve, no stage, no force, kexec); returns its request id. */
  upgrade(req: Partial<Omit<UpgradeRequest, 'requestId'>> = {}): number {
    const requestId = this.requestIdNext++;
    this.send({
      type: 'API_UPGRADE',
      request: {
        requestId,
        version: 'v2',
        preserve: false,
        stage: false,
        force: false,
        rebootMode: 'kexec',
        ...req,
      },
    });
    return requestId;
  }

  reboot(mode: RebootMode): number {
    const requestId = this.requestIdNext++;
    this.send({ type: 'API_REBOOT', requestId, mode });
    return requestId;
  }

  rollback(): number {
    const requestId = this.requestIdNext++;
    this.send({ type: 'API_ROLLBACK', requestId });
    return requestId;
  }

  reply(requestId: number): Extract<Stamped, { type: 'api.reply' }> | undefined {
    return this.of('api.reply').find((e) => e.requestId === requestId);
  }

  of<K extends NodeEmitted['type']>(type: K, since = 0): Extract<Stamped, { type: K }>[] {
    return this.events.filter((e): e is Extract<Stamped, { type: K }> => e.type === type && e.t >= since);
  }

  states(since = 0): string[] {
    return this.of('state', since).map((e) => e.state);
  }

  stateAt(state: string, since = 0): number | undefined {
    return this.of('state', since).find((e) => e.state === state)?.t;
  }

  steps(since = 0): string[] {
    return this.of('upgrade.step', since).map((e) => e.step);
  }

  /** Index of the first emitted event satisfying `pred` (for ordering assertions). */
  indexOf(pred: (e: Stamped) => boolean): number {
    return this.events.findIndex(pred);
  }
}

/**
 * A node on a real Talos version whose running version picks the rules (no override, F§3): a control
 * plane by default, with an etcd identity only when it is one.
 */
export function sequenceHarness(
  opts: HarnessOptions & { version: string; role?: Role; profile?: TalosProfile | null },
): NodeHarness {
  const role = opts.role ?? 'controlplane';
  return new NodeHarness({
    etcdMemberId: role === 'controlplane' ? 'm1' : null,
    ...opts,
    role,
    profile: opts.profile ?? null,
  });
}

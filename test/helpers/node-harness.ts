// A compact driver of the real node machine on a virtual clock for the upgrade-sequence tests: it plays the
// engine's part (etcd.start, precheck, etcd.leave answered through the scheduler) and records what the node
// emits with its virtual time.
import { createActor } from 'xstate';
import { nodeMachine } from '../../models/node.js';
import type { NodeEmitted, NodeEvent, NodeTiming, UpgradeRequest } from '../../models/node.js';
import type { Role, TalosProfile } from '../../models/types.js';
import { virtualClock } from '../../sim/engine/clock.js';
import { Scheduler } from '../../sim/engine/scheduler.js';

const fixed = (ms: number) => ({ minMs: ms, maxMs: ms });
export const SEQ_MS = {
  firmware: 1_000,
  kernel: 2_000,
  init: 3_000,
  ready: 4_000,
  cordon: 5_000,
  drain: 6_000,
  install: 7_000,
};
export const SEQ_TIMING: NodeTiming = {
  firmware: fixed(SEQ_MS.firmware),
  kernel: fixed(SEQ_MS.kernel),
  init: fixed(SEQ_MS.init),
  ready: fixed(SEQ_MS.ready),
  cordon: fixed(SEQ_MS.cordon),
  drain: fixed(SEQ_MS.drain),
  install: fixed(SEQ_MS.install),
};
/** Ready on the first boot at 10 s. */
export const SEQ_READY_AT = SEQ_MS.firmware + SEQ_MS.kernel + SEQ_MS.init + SEQ_MS.ready;

export type Stamped = NodeEmitted & { t: number };
type Answer = { ok: boolean; reason: string };

export interface SeqHarnessOptions {
  role?: Role;
  /** The scenario override; null (the default here) lets the running version decide. */
  profile?: TalosProfile | null;
  version: string;
  precheck?: (n: number) => Answer;
  leave?: (n: number) => Answer;
  kubeApi?: (purpose: 'cordon' | 'drain') => Answer;
}

export class SeqHarness {
  readonly scheduler = new Scheduler();
  readonly events: Stamped[] = [];
  readonly actor;
  private prechecks = 0;
  private leaves = 0;

  constructor(private readonly opts: SeqHarnessOptions) {
    const role = opts.role ?? 'controlplane';
    this.actor = createActor(nodeMachine, {
      clock: virtualClock(this.scheduler),
      input: {
        name: 'n1',
        role,
        profile: opts.profile ?? null,
        bootloader: 'talos',
        bootTries: 3,
        timing: SEQ_TIMING,
        rngSeed: 1,
        version: opts.version,
        etcdMemberId: role === 'controlplane' ? 'm1' : null,
      },
    });
    this.actor.on('*', (e) => {
      this.events.push({ ...e, t: this.scheduler.now });
      this.answer(e);
    });
    this.actor.start();
  }

  private answer(e: NodeEmitted): void {
    const later = (ev: NodeEvent) => this.scheduler.after(0, () => this.actor.send(ev));
    if (e.type === 'etcd.start') later({ type: 'ETCD_HEALTHY' });
    // The Kubernetes node is Ready as soon as asked: these tests are about the upgrade sequence (F§3),
    // the Ready gate itself is tested in node.test.ts.
    if (e.type === 'kube.awaitNodeReady') later({ type: 'KUBE_NODE_READY' });
    if (e.type === 'kube.api') {
      const a = (this.opts.kubeApi ?? (() => ({ ok: true, reason: 'ok' })))(e.purpose);
      later({ type: 'KUBE_API_RESULT', ok: a.ok, reason: a.reason });
    }
    if (e.type === 'precheck') {
      const a = (this.opts.precheck ?? (() => ({ ok: true, reason: 'ok' })))(this.prechecks++);
      later({ type: 'PRECHECK_RESULT', ok: a.ok, reason: a.reason });
    }
    if (e.type === 'etcd.leave') {
      const a = (this.opts.leave ?? (() => ({ ok: true, reason: 'left' })))(this.leaves++);
      later({ type: 'ETCD_LEAVE_RESULT', ok: a.ok, reason: a.reason });
    }
  }

  get ctx() {
    return this.actor.getSnapshot().context;
  }

  send(event: NodeEvent): void {
    this.actor.send(event);
  }

  runUntil(t: number): void {
    this.scheduler.run({ maxEvents: 1_000_000, maxTimeMs: t });
    this.scheduler.advanceTo(Math.max(this.scheduler.now, t));
  }

  bootToReady(): void {
    this.send({ type: 'POWER_ON' });
    this.runUntil(SEQ_READY_AT);
    if (!this.ctx.ready) throw new Error('SeqHarness: node not Ready after its first boot');
  }

  upgrade(req: Partial<Omit<UpgradeRequest, 'requestId'>> & { version: string }): void {
    this.send({
      type: 'API_UPGRADE',
      request: { requestId: 1, preserve: false, stage: false, force: false, rebootMode: 'kexec', ...req },
    });
  }

  of<K extends NodeEmitted['type']>(type: K, since = 0): Extract<Stamped, { type: K }>[] {
    return this.events.filter((e): e is Extract<Stamped, { type: K }> => e.type === type && e.t >= since);
  }

  steps(): string[] {
    return this.of('upgrade.step').map((e) => e.step);
  }
}

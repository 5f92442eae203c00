import { describe, it, expect } from 'vitest';
import { createActor } from 'xstate';
import { virtualClock } from '../../../sim/engine/clock.js';
import { Scheduler } from '../../../sim/engine/scheduler.js';
import {
  ETCD_SERVICE_TIMING,
  etcdServiceMachine,
  PROMOTE_ATTEMPTS_MAX,
} from '../../../models/etcd-service.js';
import type { EtcdServiceEmitted, EtcdServiceEvent } from '../../../models/etcd-service.js';

type Stamped = EtcdServiceEmitted & { t: number };
type Reply = Extract<EtcdServiceEvent, { type: 'RESULT' }>;
/** The engine's answer to the n-th request of a kind (0-based); undefined = no answer. */
type Responder = (n: number, e: EtcdServiceEmitted) => Omit<Reply, 'type'> | undefined;

interface Responders {
  removeByName?: Responder;
  addLearner?: Responder;
  startMember?: Responder;
  promote?: Responder;
}

/**
 * Drives the real etcd-service machine on a virtual clock. Requests are answered through the scheduler at
 * the same virtual time, as the engine does, by per-request responders (default: no answer).
 */
class EtcdServiceHarness {
  readonly scheduler = new Scheduler();
  readonly events: Stamped[] = [];
  readonly actor;
  private readonly counts = new Map<string, number>();

  constructor(private readonly responders: Responders = {}) {
    this.actor = createActor(etcdServiceMachine, {
      clock: virtualClock(this.scheduler),
      input: { node: 'cp1' },
    });
    this.actor.on('*', (e) => {
      this.events.push({ ...e, t: this.scheduler.now });
      const n = this.counts.get(e.type) ?? 0;
      this.counts.set(e.type, n + 1);
      switch (e.type) {
        case 'removeByName':
        case 'addLearner':
        case 'startMember':
        case 'promote': {
          const reply = this.responders[e.type]?.(n, e);
          if (reply) this.scheduler.after(0, () => this.actor.send({ type: 'RESULT', ...reply }));
          return;
        }
        default:
          return;
      }
    });
    this.actor.start();
  }

  send(event: EtcdServiceEvent): void {
    this.actor.send(event);
  }

  at(t: number, event: EtcdServiceEvent): void {
    this.scheduler.at(t, () => this.actor.send(event));
  }

  runUntil(t: number): void {
    this.scheduler.run({ maxEvents: 1_000_000, maxTimeMs: t });
    this.scheduler.advanceTo(Math.max(this.scheduler.now, t));
  }

  get value(): unknown {
    return this.actor.getSnapshot().value;
  }

  of<K extends EtcdServiceEmitted['type']>(type: K): Extract<Stamped, { type: K }>[] {
    return this.events.filter((e): e is Extract<Stamped, { type: K }> => e.type === type);
  }

  /** The emitted requests (no state reports), as compact strings, in order. */
  requests(): string[] {
    return this.events
      .filter((e) => e.type !== 'state')
      .map((e) => {
        switch (e.type) {
          case 'startMember':
            return `startMember:${e.memberId}:${e.emptyDataDir ? 'empty' : 'data'}`;
          case 'promote':
          case 'stopMember':
          case 'identity':
            return `${e.type}:${e.memberId}`;
          default:
            return e.type;
        }
      });
  }

  states(): string[] {
    return this.of('state').map((e) => (e.detail ? `${e.state}(${e.detail})` : e.state));
  }
}

const ok = (extra: Omit<Reply, 'type' | 'ok'> = {}): Omit<Reply, 'type'> => ({ ok: true, ...extra });
const fail = (error: string): Omit<Reply, 'type'> => ({ ok: false, error });
const T = ETCD_SERVICE_TIMING;

describe('etcd service: data dir present (F§3)', () => {
  it('F§3: starts the member its data dir belongs to', () => {
    const h = new EtcdServiceHarness({ startMember: () => ok() });
    h.send({ type: 'START', memberId: 'm1', oldMemberId: 'm1', rejoin: 'learner' });
    h.runUntil(60_000);
    expect(h.requests()).toEqual(['startMember:m1:data']);
    expect(h.value).toBe('running');
    expect(h.states()).toEqual(['stopped', 'running']);
  });

  it('F§3: the data dir wins over the member listed under the hostname, even for in-place rejoin', () => {
    const h = new EtcdServiceHarness({ startMember: () => ok() });
    h.send({ type: 'START', memberId: 'm1', oldMemberId: 'm0', rejoin: 'in-place' });
    expect(h.requests()).toEqual(['startMember:m1:data']);
  });

  it('F§3 (T#5794, T#13710): a learner that restarts on its own data is never promoted, it stays a learner', () => {
    const h = new EtcdServiceHarness({ startMember: () => ok({ learner: true }), promote: () => ok() });
    h.send({ type: 'START', memberId: 'm7', oldMemberId: 'm7', rejoin: 'learner' });
    h.runUntil(3_600_000);
    expect(h.requests()).toEqual(['startMember:m7:data']);
    expect(h.of('promote')).toEqual([]);
    expect(h.states()).toEqual(['stopped', 'learner(restarted on its own data: never promoted)', 'running']);
  });
});

describe('etcd service: rejoin as a learner (F§3, data dir empty)', () => {
  it('F§3: removeByName, addLearner, identity, startMember (empty dir), then promote until it succeeds', () => {
    const h = new EtcdServiceHarness({
      removeByName: () => ok(),
      addLearner: () => ok({ memberId: 'm9' }),
      startMember: () => ok({ learner: true }),
      promote: (n) =>
        n < 3 ? fail('etcdserver: can only promote a learner member which is in sync with leader') : ok(),
    });
    h.send({ type: 'START', memberId: null, oldMemberId: 'm1', rejoin: 'learner' });
    h.runUntil(60_000);
    expect(h.requests()).toEqual([
      'removeByName',
      'addLearner',
      'identity:m9',
      'startMember:m9:empty',
      'promote:m9',
      'promote:m9',
      'promote:m9',
      'promote:m9',
    ]);
    // Promotion is retried every 15 s (F§3, released versions).
    expect(h.of('promote').map((e) => e.t)).toEqual([0, 15_000, 30_000, 45_000]);
    expect(h.value).toBe('running');
    expect(h.states()).toEqual(['stopped', 'joining', 'learner', 'running']);
  });

  it('F§3: a failing removeByName is retried every 5 s', () => {
    const h = new EtcdServiceHarness({
      removeByName: (n) => (n < 2 ? fail('etcdserver: unhealthy cluster') : ok()),
      addLearner: () => ok({ memberId: 'm9' }),
      startMember: () => ok({ learner: true }),
      promote: () => ok(),
    });
    h.send({ type: 'START', memberId: null, oldMemberId: null, rejoin: 'learner' });
    h.runUntil(60_000);
    expect(h.of('removeByName').map((e) => e.t)).toEqual([0, 5_000, 10_000]);
    expect(h.of('addLearner').map((e) => e.t)).toEqual([10_000]);
    expect(h.value).toBe('running');
  });

  it('F§3: a failing addLearner is retried every 5 s (T#13710 "too many learner members")', () => {
    const h = new EtcdServiceHarness({
      removeByName: () => ok(),
      addLearner: (n) =>
        n < 3 ? fail('etcdserver: too many learner members in cluster') : ok({ memberId: 'm9' }),
      startMember: () => ok({ learner: true }),
      promote: () => ok(),
    });
    h.send({ type: 'START', memberId: null, oldMemberId: 'm1', rejoin: 'learner' });
    h.runUntil(60_000);
    expect(h.of('addLearner').map((e) => e.t)).toEqual([0, 5_000, 10_000, 15_000]);
    expect(h.states()).toContain('joining(retrying: etcdserver: too many learner members in cluster)');
    expect(h.of('identity')).toEqual([{ type: 'identity', memberId: 'm9', t: 15_000 }]);
    expect(h.value).toBe('running');
  });

  it('F§3: adding the learner gives up after 30 min => failed', () => {
    const h = new EtcdServiceHarness({
      removeByName: () => ok(),
      addLearner: () => fail('etcdserver: too many learner members in cluster'),
    });
    h.send({ type: 'START', memberId: null, oldMemberId: 'm1', rejoin: 'learner' });
    h.runUntil(T.addLearnerBudgetMs - 1);
    expect(h.value).toMatchObject({ joining: expect.anything() });
    const attempts = h.of('addLearner').length;
    expect(attempts).toBe(T.addLearnerBudgetMs / T.retryMs);
    h.runUntil(T.addLearnerBudgetMs);
    expect(h.value).toBe('failed');
    expect(h.of('state').at(-1)).toEqual({
      type: 'state',
      state: 'failed',
      detail: 'adding learner timed out after 30 min',
      t: T.addLearnerBudgetMs,
    });
    // Failed is final for the service: nothing more is requested.
    h.runUntil(T.addLearnerBudgetMs + 3_600_000);
    expect(h.of('addLearner')).toHaveLength(attempts);
    expect(h.of('startMember')).toEqual([]);
  });

  it('F§3: promotion is tried every 15 s and given up after 10 min (the member stays a learner)', () => {
    const h = new EtcdServiceHarness({
      removeByName: () => ok(),
      addLearner: () => ok({ memberId: 'm9' }),
      startMember: () => ok({ learner: true }),
      promote: () => fail('etcdserver: can only promote a learner member which is in sync with leader'),
    });
    h.send({ type: 'START', memberId: null, oldMemberId: 'm1', rejoin: 'learner' });
    h.runUntil(T.promoteBudgetMs - T.promoteEveryMs - 1);
    expect(h.of('promote')).toHaveLength(T.promoteBudgetMs / T.promoteEveryMs - 1);
    expect(h.value).toMatchObject({ learner: expect.anything() });
    h.runUntil(T.promoteBudgetMs);
    expect(
      h
        .of('promote')
        .map((e) => e.t)
        .at(-1),
    ).toBe(T.promoteBudgetMs - T.promoteEveryMs);
    expect(h.states().slice(-2)).toEqual(['learner(promotion gave up after 10 min)', 'running']);
    h.runUntil(T.promoteBudgetMs + 3_600_000);
    expect(h.of('promote')).toHaveLength(T.promoteBudgetMs / T.promoteEveryMs);
    expect(PROMOTE_ATTEMPTS_MAX).toBe(40);
  });

  it('a STOP during the join cancels its 30 min budget', () => {
    const h = new EtcdServiceHarness({ removeByName: () => ok(), addLearner: () => fail('nope') });
    h.send({ type: 'START', memberId: null, oldMemberId: 'm1', rejoin: 'learner' });
    h.at(60_000, { type: 'STOP' });
    h.runUntil(T.addLearnerBudgetMs + 60_000);
    expect(h.value).toBe('stopped');
    expect(h.states()).not.toContain('failed(adding learner timed out after 30 min)');
    expect(h.of('addLearner').every((e) => e.t <= 60_000)).toBe(true);
  });
});

describe('etcd service: in-place rejoin (the naive alternative)', () => {
  it('in-place: restarts on the empty dir under the old identity; no remove, no add', () => {
    const h = new EtcdServiceHarness({ startMember: () => ok() });
    h.send({ type: 'START', memberId: null, oldMemberId: 'm1', rejoin: 'in-place' });
    h.runUntil(60_000);
    expect(h.requests()).toEqual(['startMember:m1:empty']);
    expect(h.value).toBe('running');
  });

  it('in-place without an old member to reuse falls back to joining as a learner', () => {
    const h = new EtcdServiceHarness({ removeByName: () => ok(), addLearner: () => ok({ memberId: 'm9' }) });
    h.send({ type: 'START', memberId: null, oldMemberId: null, rejoin: 'in-place' });
    h.runUntil(60_000);
    expect(h.requests().slice(0, 3)).toEqual(['removeByName', 'addLearner', 'identity:m9']);
  });
});

describe('etcd service: crash loop (F§3: restarted every 5 s forever, same arguments; T#7423, T#9153, T#9789)', () => {
  it('F§3: a failed start is restarted every 5 s with the same arguments until it succeeds', () => {
    const h = new EtcdServiceHarness({
      startMember: (n) => (n < 3 ? fail('the member has been permanently removed from the cluster') : ok()),
    });
    h.send({ type: 'START', memberId: 'm1', oldMemberId: null, rejoin: 'learner' });
    h.runUntil(120_000);
    expect(h.of('startMember').map((e) => e.t)).toEqual([0, 5_000, 10_000, 15_000]);
    expect(h.requests()).toEqual(Array(4).fill('startMember:m1:data'));
    expect(h.states().filter((s) => s.startsWith('crashLoop'))).toEqual(
      Array(3).fill('crashLoop(the member has been permanently removed from the cluster)'),
    );
    expect(h.value).toBe('running');
  });

  it('F§3: the pre-start runs once per service start: a restart never re-checks the data dir or rejoins', () => {
    // T#9789: the member was removed; the crash loop keeps starting m1 and never removes or re-adds.
    const h = new EtcdServiceHarness({
      startMember: (_n, e) =>
        e.type === 'startMember' && e.memberId === 'm1'
          ? fail('the member has been permanently removed from the cluster')
          : ok({ learner: true }),
      removeByName: () => ok(),
      addLearner: () => ok({ memberId: 'm2' }),
      promote: () => ok(),
    });
    h.send({ type: 'START', memberId: 'm1', oldMemberId: 'm1', rejoin: 'learner' });
    h.runUntil(600_000);
    expect(h.of('startMember')).toHaveLength(600_000 / T.restartMs + 1);
    expect(h.of('removeByName')).toEqual([]);
    expect(h.of('addLearner')).toEqual([]);
    expect(h.value).toBe('crashLoop');
    // Only the next service start (a boot) runs the pre-start again: with the data dir wiped, it rejoins.
    h.send({ type: 'STOP' });
    h.send({ type: 'START', memberId: null, oldMemberId: 'm1', rejoin: 'learner' });
    h.runUntil(660_000);
    expect(h.requests().slice(-6)).toEqual([
      'stopMember:m1',
      'removeByName',
      'addLearner',
      'identity:m2',
      'startMember:m2:empty',
      'promote:m2',
    ]);
  });

  it('a running member that exits is restarted after 5 s', () => {
    const h = new EtcdServiceHarness({ startMember: () => ok() });
    h.send({ type: 'START', memberId: 'm1', oldMemberId: null, rejoin: 'learner' });
    h.at(5_000, { type: 'EXITED', reason: 'data dir removed' });
    h.runUntil(60_000);
    expect(h.of('startMember').map((e) => e.t)).toEqual([0, 10_000]);
    expect(h.states()).toContain('crashLoop(data dir removed)');
    expect(h.value).toBe('running');
  });

  it('F§3: a learner this start joined that exits is restarted and still promoted (the same service start)', () => {
    const h = new EtcdServiceHarness({
      removeByName: () => ok(),
      addLearner: () => ok({ memberId: 'm9' }),
      startMember: () => ok({ learner: true }),
      promote: (n) => (n === 0 ? fail('not in sync') : ok()),
    });
    h.send({ type: 'START', memberId: null, oldMemberId: null, rejoin: 'learner' });
    h.at(1_000, { type: 'EXITED', reason: 'killed' });
    h.runUntil(60_000);
    expect(h.of('startMember').map((e) => e.t)).toEqual([0, 6_000]);
    expect(h.of('promote').map((e) => e.t)).toEqual([0, 6_000]);
    expect(h.value).toBe('running');
  });

  it('F§3: the promotion budget is per service start: crash loops do not reset it', () => {
    let exits = 0;
    const h = new EtcdServiceHarness({
      removeByName: () => ok(),
      addLearner: () => ok({ memberId: 'm9' }),
      startMember: () => ok({ learner: true }),
      promote: () => fail('etcdserver: can only promote a learner member which is in sync with leader'),
    });
    h.send({ type: 'START', memberId: null, oldMemberId: null, rejoin: 'learner' });
    // The learner dies every 20 s; each restart goes on promoting from the same budget.
    for (let t = 20_000; t < 3_600_000; t += 20_000) h.at(t, { type: 'EXITED', reason: `crash ${++exits}` });
    h.runUntil(3_600_000);
    expect(h.of('promote')).toHaveLength(PROMOTE_ATTEMPTS_MAX);
  });
});

describe('etcd service: stop', () => {
  it('STOP stops the member from any state and a later START starts it again', () => {
    const h = new EtcdServiceHarness({ startMember: () => ok() });
    h.send({ type: 'START', memberId: 'm1', oldMemberId: null, rejoin: 'learner' });
    h.runUntil(1_000);
    h.send({ type: 'STOP' });
    expect(h.value).toBe('stopped');
    expect(h.of('stopMember')).toEqual([{ type: 'stopMember', memberId: 'm1', t: 1_000 }]);
    h.send({ type: 'START', memberId: 'm1', oldMemberId: null, rejoin: 'learner' });
    h.runUntil(2_000);
    expect(h.value).toBe('running');
    expect(h.of('startMember')).toHaveLength(2);
  });

  it('STOP during a crash loop cancels the pending restart', () => {
    const h = new EtcdServiceHarness({ startMember: () => fail('permanently removed') });
    h.send({ type: 'START', memberId: 'm1', oldMemberId: null, rejoin: 'learner' });
    h.at(5_000, { type: 'STOP' });
    h.runUntil(120_000);
    expect(h.of('startMember')).toHaveLength(1);
    expect(h.value).toBe('stopped');
  });

  it('START is ignored while the service is already running', () => {
    const h = new EtcdServiceHarness({ startMember: () => ok() });
    h.send({ type: 'START', memberId: 'm1', oldMemberId: null, rejoin: 'learner' });
    h.runUntil(1_000);
    h.send({ type: 'START', memberId: 'm2', oldMemberId: null, rejoin: 'learner' });
    expect(h.of('startMember')).toHaveLength(1);
  });
});

describe('etcd service timing constants (F§3)', () => {
  it('match Talos: retries every 5 s, restart every 5 s, learner add 30 min, promote every 15 s (30-s attempts) for 10 min', () => {
    expect(ETCD_SERVICE_TIMING).toEqual({
      retryMs: 5_000,
      restartMs: 5_000,
      addLearnerBudgetMs: 30 * 60_000,
      promoteEveryMs: 15_000,
      promoteAttemptTimeoutMs: 30_000,
      promoteBudgetMs: 10 * 60_000,
    });
  });
});

// Edge cases of the etcd service model (issue 7, mutation testing): the branches of the start result,
// the boundary of the promotion budget and the texts the trace shows. Each test names the Stryker mutants
// of models/etcd-service.ts (line:col) it kills.
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
type Reply = Omit<Extract<EtcdServiceEvent, { type: 'RESULT' }>, 'type'>;
type Responder = (n: number) => Reply | undefined;
type Responders = Partial<Record<'removeByName' | 'addLearner' | 'startMember' | 'promote', Responder>>;

/** The real machine on a virtual clock; requests are answered at the same virtual time, as the engine does. */
function harness(responders: Responders) {
  const scheduler = new Scheduler();
  const events: Stamped[] = [];
  const counts = new Map<string, number>();
  const actor = createActor(etcdServiceMachine, { clock: virtualClock(scheduler), input: { node: 'cp1' } });
  actor.on('*', (e) => {
    events.push({ ...e, t: scheduler.now });
    const n = counts.get(e.type) ?? 0;
    counts.set(e.type, n + 1);
    if (
      e.type === 'removeByName' ||
      e.type === 'addLearner' ||
      e.type === 'startMember' ||
      e.type === 'promote'
    ) {
      const reply = responders[e.type]?.(n);
      if (reply) scheduler.after(0, () => actor.send({ type: 'RESULT', ...reply }));
    }
  });
  actor.start();
  return {
    events,
    send: (e: EtcdServiceEvent) => actor.send(e),
    runUntil(t: number) {
      scheduler.run({ maxEvents: 1_000_000, maxTimeMs: t });
      scheduler.advanceTo(Math.max(scheduler.now, t));
    },
    value: () => actor.getSnapshot().value,
    of: <K extends EtcdServiceEmitted['type']>(type: K) =>
      events.filter((e): e is Extract<Stamped, { type: K }> => e.type === type),
    states: () =>
      events
        .filter((e): e is Extract<Stamped, { type: 'state' }> => e.type === 'state')
        .map((e) => (e.detail === undefined ? e.state : `${e.state}(${e.detail})`)),
  };
}

const ok = (extra: Omit<Reply, 'ok'> = {}): Reply => ({ ok: true, ...extra });
const fail = (error: string): Reply => ({ ok: false, error });
const T = ETCD_SERVICE_TIMING;
const joined = { removeByName: () => ok(), addLearner: () => ok({ memberId: 'm9' }) };
const rejoin: EtcdServiceEvent = { type: 'START', memberId: null, oldMemberId: 'm1', rejoin: 'learner' };
const ownData: EtcdServiceEvent = { type: 'START', memberId: 'm1', oldMemberId: 'm1', rejoin: 'learner' };

describe('etcd service edges: what the start result decides (F§3)', () => {
  // Kills 222:15 (the conjunctions `event.type/ok/learner/promote` replaced by true or split by ||) and
  // 224:15 (`event.learner === true` replaced by true).
  it('F§3: a member this start joined that starts as a voter is running at once: no promotion', () => {
    const h = harness({ ...joined, startMember: () => ok({ learner: false }), promote: () => ok() });
    h.send(rejoin);
    h.runUntil(60_000);
    expect(h.of('promote')).toEqual([]);
    expect(h.states()).toEqual(['stopped', 'joining', 'running']);
    expect(h.value()).toBe('running');
  });

  // Kills 222:15 (`true && event.learner === true && ...`, `event.type === 'RESULT' || ...`): a failed
  // start is a crash, whatever else the reply says; the learner it joined is not promoted.
  it('F§3: a failed start of the learner this start joined is a crash loop, not a promotion', () => {
    const h = harness({
      ...joined,
      startMember: () => ({ ok: false, learner: true, error: 'etcdserver: request timed out' }),
      promote: () => ok(),
    });
    h.send(rejoin);
    h.runUntil(1_000);
    expect(h.of('promote')).toEqual([]);
    expect(h.states()).toEqual(['stopped', 'joining', 'crashLoop(etcdserver: request timed out)']);
    expect(h.value()).toBe('crashLoop');
  });

  // Kills 233:15 (`event.type === 'RESULT' || ...`): a voter starting on its own data is not reported as a
  // learner that is never promoted (T#5794, T#13710 apply to learners only).
  it('F§3: a voter that starts on its own data is running, with no "never promoted" report', () => {
    const h = harness({ startMember: () => ok({ learner: false }) });
    h.send(ownData);
    h.runUntil(60_000);
    expect(h.states()).toEqual(['stopped', 'running']);
  });

  // Kills 233:15 (`true && event.learner === true && ...` and `event.type === 'RESULT' || ...`): a failed
  // start on its own data is a crash loop even if the reply flags a learner (T#7423, T#9153).
  it('F§3: a failed start on its own data is a crash loop, not "stays a learner"', () => {
    const h = harness({
      startMember: () => ({ ok: false, learner: true, error: 'member m1 has already been bootstrapped' }),
    });
    h.send(ownData);
    h.runUntil(1_000);
    expect(h.states()).toEqual(['stopped', 'crashLoop(member m1 has already been bootstrapped)']);
    expect(h.value()).toBe('crashLoop');
  });

  // Kills 295:38 (no coverage): a crash with no error text reports an empty detail, which the trace
  // leaves out (etcd-driver writes `detail` only when it is non-empty).
  it('F§3: a crash with no error text reports an empty detail', () => {
    const h = harness({ startMember: () => ({ ok: false }) });
    h.send(ownData);
    h.runUntil(1_000);
    expect(h.of('state').at(-1)).toEqual({ type: 'state', state: 'crashLoop', detail: '', t: 0 });
  });
});

describe('etcd service edges: the promotion budget (F§3: every 15 s for up to 10 min)', () => {
  // Kills 271:41 (`promoteAttemptsLeft <= 0` replaced by false, and by `< 0`): the last of the
  // PROMOTE_ATTEMPTS_MAX attempts failing gives up at once, without a wait for a further attempt.
  it('F§3: the 40th failed attempt gives up at once; there is no 41st', () => {
    expect(PROMOTE_ATTEMPTS_MAX).toBe(40);
    const h = harness({
      ...joined,
      startMember: () => ok({ learner: true }),
      promote: () => fail('etcdserver: can only promote a learner member which is in sync with leader'),
    });
    h.send(rejoin);
    const last = (PROMOTE_ATTEMPTS_MAX - 1) * T.promoteEveryMs;
    h.runUntil(last);
    expect(h.of('promote')).toHaveLength(PROMOTE_ATTEMPTS_MAX);
    expect(h.of('promote').at(-1)?.t).toBe(last);
    expect(h.value()).toBe('running');
    expect(h.of('state').at(-2)).toEqual({
      type: 'state',
      state: 'learner',
      detail: 'promotion gave up after 10 min',
      t: last,
    });
    h.runUntil(3_600_000);
    expect(h.of('promote')).toHaveLength(PROMOTE_ATTEMPTS_MAX);
  });
});

describe('etcd service edges: stop', () => {
  // Kills 103:100: a STOP before the join got a member id asks to stop no member (an empty id, which the
  // engine skips), not a made-up one.
  it('a STOP during the join emits stopMember with an empty id', () => {
    const h = harness({});
    h.send(rejoin);
    h.send({ type: 'STOP' });
    expect(h.of('stopMember')).toEqual([{ type: 'stopMember', memberId: '', t: 0 }]);
    expect(h.value()).toBe('stopped');
  });
});

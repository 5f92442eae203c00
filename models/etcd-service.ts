// The etcd service of one control-plane node: how Talos starts its etcd member (F§3, F§4).
// - The pre-start (data-dir check, join) runs once per service start, i.e. once per boot (START). After
//   that the service runner restarts the process every 5 s forever with the same arguments: a crash loop
//   does not re-check the data dir, so a bare wipe of EPHEMERAL is not healed until the next boot
//   (T#7423/T#9153/T#9789).
// - Data dir present: start the member it belongs to. A removed member exits "permanently removed".
// - Data dir empty (rejoin): remove any member with our hostname, add ourselves as a learner (retried up
//   to 30 min), start with "existing cluster", then try to promote — every 15 s, each attempt up to 30 s,
//   for up to 10 min (released versions; 2 s is only on unreleased main). Only a learner that this very
//   service start joined is promoted: a learner that restarts on its own data stays a learner for good
//   (T#5794, T#13710), and never passes the boot sequence's linearizable-read check.
// - The naive alternative (`in-place`) restarts on the empty dir under the old identity: real etcd then
//   panics "tocommit(N) is out of range", or, when no leader is reachable, votes with an empty log.
// Requests are emitted; the engine runs them against the etcd cluster model and replies.
import { assign, emit, setup } from 'xstate';

export const ETCD_SERVICE_TIMING = {
  /** Retry period for the membership RPCs of the join. */
  retryMs: 5_000,
  /** The service runner restarts a crashed etcd process after this, forever, with the same arguments. */
  restartMs: 5_000,
  addLearnerBudgetMs: 30 * 60_000,
  /** Promotion: one attempt every 15 s, each up to 30 s, for up to 10 min (F§3, released versions). */
  promoteEveryMs: 15_000,
  promoteAttemptTimeoutMs: 30_000,
  promoteBudgetMs: 10 * 60_000,
} as const;

/** Promotion attempts one service start may make: the 10-min budget in 15-s steps (bounds crash loops). */
export const PROMOTE_ATTEMPTS_MAX = ETCD_SERVICE_TIMING.promoteBudgetMs / ETCD_SERVICE_TIMING.promoteEveryMs;

export interface EtcdServiceContext {
  node: string;
  memberId: string | null;
  emptyDataDir: boolean;
  rejoin: 'learner' | 'in-place';
  promote: boolean;
  /** This service start added the member as a learner: only then is it promoted (F§3, T#5794, T#13710). */
  joinedThisStart: boolean;
  /** Promotion attempts left to this service start (PROMOTE_ATTEMPTS_MAX at START). */
  promoteAttemptsLeft: number;
  lastError: string | null;
}

export type EtcdServiceEvent =
  /** `memberId` is the data dir's identity (null = empty); `oldMemberId` the member listed under our hostname. */
  | {
      type: 'START';
      memberId: string | null;
      oldMemberId: string | null;
      rejoin: 'learner' | 'in-place';
      /** false reproduces Talos before learner promotion existed (T#5794): the learner is never promoted. */
      promote?: boolean;
    }
  | { type: 'STOP' }
  | { type: 'RESULT'; ok: boolean; error?: string; memberId?: string; learner?: boolean }
  /** The member process died (removed from the cluster while running, or its data vanished). */
  | { type: 'EXITED'; reason: string };

export type EtcdServiceEmitted =
  | { type: 'state'; state: string; detail?: string }
  | { type: 'removeByName' }
  | { type: 'addLearner' }
  /** Join straight as a voter, as etcd clients did before learners existed. */
  | { type: 'addVoter' }
  | { type: 'startMember'; memberId: string; emptyDataDir: boolean }
  | { type: 'promote'; memberId: string }
  | { type: 'stopMember'; memberId: string }
  | { type: 'identity'; memberId: string };

const T = ETCD_SERVICE_TIMING;

export const etcdServiceMachine = setup({
  types: {
    context: {} as EtcdServiceContext,
    events: {} as EtcdServiceEvent,
    emitted: {} as EtcdServiceEmitted,
    input: {} as { node: string },
  },
  actions: {
    // Join as a learner (F§3). Named so a mutation test can swap in the pre-learner join (add as voter).
    requestJoin: emit({ type: 'addLearner' }),
  },
  guards: {
    ok: ({ event }) => event.type === 'RESULT' && event.ok,
  },
}).createMachine({
  id: 'etcdService',
  context: ({ input }) => ({
    node: input.node,
    memberId: null,
    emptyDataDir: false,
    rejoin: 'learner',
    promote: true,
    joinedThisStart: false,
    promoteAttemptsLeft: PROMOTE_ATTEMPTS_MAX,
    lastError: null,
  }),
  initial: 'stopped',
  on: {
    STOP: {
      target: '.stopped',
      actions: emit(({ context }) => ({ type: 'stopMember' as const, memberId: context.memberId ?? '' })),
    },
  },
  states: {
    stopped: {
      entry: emit({ type: 'state', state: 'stopped' }),
      on: {
        START: [
          {
            guard: ({ event }) => event.memberId !== null,
            target: 'starting',
            actions: assign({
              memberId: ({ event }) => event.memberId,
              emptyDataDir: false,
              rejoin: ({ event }) => event.rejoin,
              promote: ({ event }) => event.promote ?? true,
              joinedThisStart: false,
              promoteAttemptsLeft: PROMOTE_ATTEMPTS_MAX,
            }),
          },
          {
            guard: ({ event }) => event.rejoin === 'in-place' && event.oldMemberId !== null,
            target: 'starting',
            actions: assign({
              memberId: ({ event }) => event.oldMemberId,
              emptyDataDir: true,
              rejoin: 'in-place',
              joinedThisStart: false,
              promoteAttemptsLeft: PROMOTE_ATTEMPTS_MAX,
            }),
          },
          {
            target: 'joining',
            actions: assign({
              memberId: null,
              emptyDataDir: true,
              rejoin: 'learner',
              promote: ({ event }) => event.promote ?? true,
              joinedThisStart: false,
              promoteAttemptsLeft: PROMOTE_ATTEMPTS_MAX,
            }),
          },
        ],
        STOP: 'stopped',
      },
    },
    joining: {
      entry: emit({ type: 'state', state: 'joining' }),
      initial: 'removeOld',
      after: {
        [T.addLearnerBudgetMs]: {
          target: 'failed',
          actions: assign({ lastError: 'adding learner timed out after 30 min' }),
        },
      },
      states: {
        removeOld: {
          entry: emit({ type: 'removeByName' }),
          on: {
            RESULT: [
              { guard: 'ok', target: 'addLearner' },
              {
                target: 'removeBackoff',
                actions: assign({
                  lastError: ({ event }) => (event.type === 'RESULT' ? (event.error ?? null) : null),
                }),
              },
            ],
          },
        },
        removeBackoff: { after: { [T.retryMs]: 'removeOld' } },
        addLearner: {
          entry: 'requestJoin',
          on: {
            RESULT: [
              {
                guard: 'ok',
                target: '#etcdService.starting',
                actions: [
                  assign({
                    memberId: ({ event }) => (event.type === 'RESULT' ? (event.memberId ?? null) : null),
                    joinedThisStart: true,
                  }),
                  emit(({ event }) => ({
                    type: 'identity' as const,
                    memberId: event.type === 'RESULT' ? (event.memberId ?? '') : '',
                  })),
                ],
              },
              {
                target: 'addBackoff',
                actions: assign({
                  lastError: ({ event }) => (event.type === 'RESULT' ? (event.error ?? null) : null),
                }),
              },
            ],
          },
        },
        addBackoff: {
          entry: emit(({ context }) => ({
            type: 'state' as const,
            state: 'joining',
            detail: `retrying: ${context.lastError}`,
          })),
          after: { [T.retryMs]: 'addLearner' },
        },
      },
    },
    starting: {
      entry: emit(({ context }) => ({
        type: 'startMember' as const,
        memberId: context.memberId!,
        emptyDataDir: context.emptyDataDir,
      })),
      on: {
        RESULT: [
          {
            // Only a learner this very service start joined is promoted (F§3).
            guard: ({ event, context }) =>
              event.type === 'RESULT' &&
              event.ok &&
              event.learner === true &&
              context.promote &&
              context.joinedThisStart &&
              context.promoteAttemptsLeft > 0,
            target: 'learner',
          },
          {
            // A learner that restarts on its own data stays a learner for good (T#5794, T#13710).
            guard: ({ event, context }) =>
              event.type === 'RESULT' && event.ok && event.learner === true && !context.joinedThisStart,
            target: 'running',
            actions: emit({
              type: 'state',
              state: 'learner',
              detail: 'restarted on its own data: never promoted',
            }),
          },
          { guard: 'ok', target: 'running' },
          {
            target: 'crashLoop',
            actions: assign({
              lastError: ({ event }) => (event.type === 'RESULT' ? (event.error ?? null) : null),
            }),
          },
        ],
      },
    },
    learner: {
      entry: emit({ type: 'state', state: 'learner' }),
      initial: 'promote',
      on: { EXITED: { target: 'crashLoop', actions: assign({ lastError: ({ event }) => event.reason }) } },
      after: {
        [T.promoteBudgetMs]: {
          target: 'running',
          actions: emit({ type: 'state', state: 'learner', detail: 'promotion gave up after 10 min' }),
        },
      },
      states: {
        promote: {
          entry: [
            emit(({ context }) => ({ type: 'promote' as const, memberId: context.memberId! })),
            assign({ promoteAttemptsLeft: ({ context }) => context.promoteAttemptsLeft - 1 }),
          ],
          on: {
            RESULT: [
              { guard: 'ok', target: '#etcdService.running' },
              {
                guard: ({ context }) => context.promoteAttemptsLeft <= 0,
                target: '#etcdService.running',
                actions: emit({ type: 'state', state: 'learner', detail: 'promotion gave up after 10 min' }),
              },
              {
                target: 'wait',
                actions: assign({
                  lastError: ({ event }) => (event.type === 'RESULT' ? (event.error ?? null) : null),
                }),
              },
            ],
          },
        },
        wait: { after: { [T.promoteEveryMs]: 'promote' } },
      },
    },
    running: {
      entry: emit({ type: 'state', state: 'running' }),
      on: { EXITED: { target: 'crashLoop', actions: assign({ lastError: ({ event }) => event.reason }) } },
    },
    crashLoop: {
      entry: emit(({ context }) => ({
        type: 'state' as const,
        state: 'crashLoop',
        detail: context.lastError ?? '',
      })),
      // The service runner restarts the process with the same arguments; the pre-start (data-dir check,
      // join) does not run again before the next service start (F§3).
      after: { [T.restartMs]: 'starting' },
    },
    failed: {
      entry: emit(({ context }) => ({
        type: 'state' as const,
        state: 'failed',
        detail: context.lastError ?? '',
      })),
    },
  },
});

// The differential cases: small situations from FACTS.md section 4 (F§4), each driven on real etcd 3.4
// and on the model. `INIT` waits for the first leader and binds the roles; `HEALTHY` also waits out etcd's
// 5 s HealthInterval, which membership changes need (F§4).
import type { Case, Step } from './steps.js';

const THREE = ['n1', 'n2', 'n3'];
const INIT: Step[] = [{ op: 'leader', maxMs: 10_000, timed: false }, { op: 'bind' }];
const HEALTHY: Step[] = [...INIT, { op: 'age', ms: 5_500 }];

export const CASES: Case[] = [
  {
    name: 'quorum-lost',
    why: 'F§4: without quorum writes and linearizable reads time out (indefinite); serializable reads work',
    members: THREE,
    steps: [
      ...INIT,
      { op: 'kill', name: '@F1' },
      { op: 'kill', name: '@F2' },
      { op: 'put', via: '@L' },
      { op: 'get', via: '@L' },
      { op: 'get', via: '@L', serializable: true },
      { op: 'put', via: '@F1' },
    ],
  },
  {
    name: 'quorum-regained',
    why: 'F§4: a restarted member restores quorum; a leader is elected and writes succeed again',
    members: THREE,
    steps: [
      ...INIT,
      { op: 'kill', name: '@F1' },
      { op: 'kill', name: '@F2' },
      { op: 'put', via: '@L' },
      { op: 'start', name: '@F1' },
      { op: 'leader', maxMs: 8_000, timed: false },
      { op: 'put', via: '@F1' },
      { op: 'get', via: '@L' },
    ],
  },
  {
    name: 'leader-two-way-cut',
    why: 'F§4: the majority elects a new leader (1-2.5 s); the cut-off leader cannot write (no split brain)',
    members: THREE,
    steps: [
      ...INIT,
      { op: 'isolate', name: '@L', dir: 'both' },
      { op: 'leader', maxMs: 6_000, not: '@L' },
      { op: 'put', via: '@F1' },
      { op: 'put', via: '@L' },
    ],
  },
  {
    name: 'leader-one-way-cut-outgoing',
    why: "F§4: cutting the leader's outgoing traffic ends in a new leader like a two-way cut (pre-vote)",
    members: THREE,
    steps: [
      ...INIT,
      { op: 'isolate', name: '@L', dir: 'outgoing' },
      { op: 'leader', maxMs: 6_000, not: '@L' },
      { op: 'put', via: '@F1' },
    ],
  },
  {
    name: 'leader-one-way-cut-incoming',
    why: "F§4: cutting the leader's incoming traffic ends in a new leader too (check-quorum, pre-vote)",
    members: THREE,
    steps: [
      ...INIT,
      { op: 'isolate', name: '@L', dir: 'incoming' },
      { op: 'leader', maxMs: 8_000, not: '@L' },
      { op: 'put', via: '@F2' },
    ],
  },
  {
    name: 'leader-graceful-stop',
    why: 'F§4: SIGTERM hands leadership over at once (~20 ms)',
    members: THREE,
    steps: [
      ...INIT,
      { op: 'stop', name: '@L' },
      { op: 'leader', maxMs: 4_000, not: '@L' },
      { op: 'put', via: '@F1' },
    ],
  },
  {
    name: 'leader-crash',
    why: 'F§4: SIGKILL of the leader leaves the others to elect (~1.3 s)',
    members: THREE,
    steps: [
      ...INIT,
      { op: 'kill', name: '@L' },
      { op: 'leader', maxMs: 5_000, not: '@L' },
      { op: 'put', via: '@F1' },
    ],
  },
  {
    name: 'learner-rejects-writes',
    why: 'F§4: writes and linearizable reads through a learner fail "rpc not supported for learner"',
    members: THREE,
    steps: [
      ...HEALTHY,
      { op: 'addLearner', name: 'n4', via: '@L' },
      { op: 'start', name: 'n4' },
      { op: 'put', via: 'n4' },
      { op: 'get', via: 'n4' },
      { op: 'get', via: 'n4', serializable: true },
      { op: 'remove', name: '@F1', via: 'n4' },
    ],
  },
  {
    name: 'learner-limit',
    why: 'F§4, T#13710: at most one learner ("too many learner members in cluster")',
    members: THREE,
    steps: [
      ...HEALTHY,
      { op: 'addLearner', name: 'n4', via: '@L' },
      { op: 'addLearner', name: 'n5', via: '@F1' },
    ],
  },
  {
    name: 'promote-caught-up-learner',
    why: 'F§4: a started learner that caught up is promoted and then takes writes',
    members: THREE,
    steps: [
      ...HEALTHY,
      { op: 'put', via: '@L' },
      { op: 'addLearner', name: 'n4', via: '@L' },
      { op: 'start', name: 'n4' },
      { op: 'promote', name: 'n4', via: '@L' },
      // The promoted member applies its own promotion a moment after the leader commits it; until then it
      // still answers "rpc not supported for learner" (the model promotes instantly). Give it a second.
      { op: 'age', ms: 1_000 },
      { op: 'put', via: 'n4' },
    ],
  },
  {
    name: 'promote-unstarted-learner',
    why: 'F§4: a learner the leader never heard from is not in sync',
    members: THREE,
    steps: [
      ...HEALTHY,
      { op: 'addLearner', name: 'n4', via: '@L' },
      { op: 'promote', name: 'n4', via: '@F1' },
    ],
  },
  {
    name: 'promote-crashed-learner',
    why: "F§4: the leader's progress record survives the learner dying: a crashed caught-up learner is promoted",
    members: THREE,
    steps: [
      ...HEALTHY,
      { op: 'put', via: '@L' },
      { op: 'addLearner', name: 'n4', via: '@L' },
      { op: 'start', name: 'n4' },
      { op: 'kill', name: 'n4' },
      { op: 'promote', name: 'n4', via: '@L' },
    ],
  },
  {
    name: 'promote-crashed-learner-after-leader-change',
    why: "F§4: ... until the leader changes: the new leader's record of the dead learner is empty",
    members: THREE,
    steps: [
      ...HEALTHY,
      { op: 'put', via: '@L' },
      { op: 'addLearner', name: 'n4', via: '@L' },
      { op: 'start', name: 'n4' },
      { op: 'kill', name: 'n4' },
      { op: 'stop', name: '@L' },
      { op: 'leader', maxMs: 4_000, not: '@L' },
      { op: 'promote', name: 'n4', via: '@F1' },
    ],
  },
  {
    name: 'add-with-voter-down',
    why: 'F§4: an add needs the serving member connected to every voter ("unhealthy cluster")',
    members: THREE,
    steps: [...HEALTHY, { op: 'kill', name: '@F2' }, { op: 'addLearner', name: 'n4', via: '@L' }],
  },
  {
    name: 'add-after-peer-restart',
    why: 'F§4: ... for 5 s: right after a peer restarted an add is refused; 5 s later it passes',
    members: THREE,
    steps: [
      ...HEALTHY,
      { op: 'kill', name: '@F2' },
      { op: 'start', name: '@F2' },
      { op: 'addLearner', name: 'n4', via: '@L' },
      { op: 'age', ms: 5_500 },
      { op: 'addLearner', name: 'n4', via: '@L' },
    ],
  },
  {
    name: 'remove-down-member',
    why: 'F§4: removing a member that is down is allowed',
    members: THREE,
    steps: [
      ...HEALTHY,
      { op: 'kill', name: '@F2' },
      { op: 'remove', name: '@F2', via: '@L' },
      { op: 'put', via: '@L' },
    ],
  },
  {
    name: 'remove-started-with-one-down',
    why: 'F§4: removing a started member is refused if the members connected for 5 s fall below quorum',
    members: THREE,
    steps: [...HEALTHY, { op: 'kill', name: '@F2' }, { op: 'remove', name: '@F1', via: '@L' }],
  },
  {
    name: 'remove-after-peer-restart',
    why: 'F§4: ... including right after a peer restarted',
    members: THREE,
    steps: [
      ...HEALTHY,
      { op: 'kill', name: '@F2' },
      { op: 'start', name: '@F2' },
      { op: 'remove', name: '@F1', via: '@L' },
    ],
  },
  {
    name: 'two-member-remove',
    why: 'F§4: removing a member from a 2-member cluster works while both are up',
    members: ['n1', 'n2'],
    steps: [...HEALTHY, { op: 'remove', name: '@F1', via: '@L' }, { op: 'put', via: '@L' }],
  },
  {
    name: 'two-member-one-down',
    why: 'F§4: a 2-member cluster with one member down has no quorum: writes and even the remove time out',
    members: ['n1', 'n2'],
    steps: [
      ...HEALTHY,
      { op: 'kill', name: '@F1' },
      { op: 'put', via: '@L' },
      { op: 'remove', name: '@F1', via: '@L' },
    ],
  },
  {
    name: 'removed-member-restart',
    why: 'F§4, T#9789: a removed member restarting exits "permanently removed"',
    members: THREE,
    steps: [...HEALTHY, { op: 'remove', name: '@F2', via: '@L' }, { op: 'start', name: '@F2' }],
  },
  {
    name: 'wiped-member-old-identity',
    why: 'F§4: a wiped member restarting under its old ID panics "tocommit(N) is out of range [lastIndex(0)]"',
    members: THREE,
    steps: [
      ...INIT,
      { op: 'put', via: '@L' },
      { op: 'kill', name: '@F2' },
      { op: 'wipe', name: '@F2' },
      { op: 'start', name: '@F2' },
    ],
  },
  {
    name: 'wiped-member-after-leader-change',
    why: 'F§4: ... unless a leader change happened since: then it starts and catches up',
    members: THREE,
    steps: [
      ...INIT,
      { op: 'put', via: '@L' },
      { op: 'kill', name: '@F2' },
      { op: 'wipe', name: '@F2' },
      { op: 'stop', name: '@L' },
      { op: 'start', name: '@L' },
      { op: 'leader', maxMs: 8_000, timed: false },
      { op: 'start', name: '@F2' },
    ],
  },
  {
    name: 'stale-leader-data-loss',
    why: 'F§4: a wiped member under its old ID votes for a lagging one: acknowledged writes are lost',
    members: THREE,
    steps: [
      ...INIT,
      { op: 'isolate', name: '@F2', dir: 'both' },
      { op: 'put', via: '@L' },
      { op: 'put', via: '@L' },
      { op: 'kill', name: '@L' },
      { op: 'kill', name: '@F1' },
      { op: 'wipe', name: '@F1' },
      { op: 'heal' },
      { op: 'start', name: '@F1' },
      { op: 'leader', maxMs: 10_000, timed: false },
      { op: 'lost', via: '@F2' },
      // The old leader still holds the lost entries: it never finishes starting, its reads time out.
      { op: 'start', name: '@L' },
      { op: 'get', via: '@L' },
      { op: 'put', via: '@F2' },
    ],
  },
];

import { describe, expect, it } from 'vitest';
import { EtcdCluster, type EtcdOptions } from '../../../models/etcd-cluster.js';
import { etcdError } from '../../../models/etcd-errors.js';
import { Network } from '../../../models/network.js';

// The etcd model against FACTS.md section 4 (F§4), measured on real etcd 3.4.23 with heartbeat 100 ms,
// election timeout 1 s and pre-vote; test/differential/ checks the same rules against etcd itself.
// These tests use F§4's real timing (the default options) on the model's own virtual clock.

function setup(voters: string[], extra: string[] = [], opts: Partial<EtcdOptions> = {}) {
  const net = new Network([...voters, ...extra]);
  const etcd = new EtcdCluster({ ...opts, connectivity: (a, b) => net.connected(a, b) });
  const ids = etcd.bootstrap(voters);
  return { net, etcd, ids };
}

/** Advance in 10 ms steps until a leader exists (at most `maxMs`); returns the time it took, or null. */
function waitLeader(etcd: EtcdCluster, maxMs: number, not?: string): number | null {
  const from = etcd.nowMs;
  for (let t = 0; t <= maxMs; t += 10) {
    const l = etcd.leader();
    if (l !== null && l !== not) return etcd.nowMs - from;
    etcd.advance(10);
  }
  return null;
}

const CP3 = ['cp1', 'cp2', 'cp3'];

/** A formed 3-member cluster whose connections are older than etcd's 5 s HealthInterval. */
function healthy3(extra: string[] = []) {
  const s = setup(CP3, extra);
  expect(waitLeader(s.etcd, 3_000)).not.toBeNull();
  s.etcd.advance(5_000);
  return s;
}

describe('F§4 timing: elections and handover on virtual time', () => {
  it('a new cluster elects within 1-2.5 s; nothing before', () => {
    const { etcd } = setup(CP3);
    expect(etcd.leader()).toBeNull();
    expect(etcd.hasQuorum()).toBe(true);
    expect(etcd.nextDeadlineMs()).toBe(1_300);
    const took = waitLeader(etcd, 3_000);
    expect(took).toBeGreaterThanOrEqual(1_000);
    expect(took).toBeLessThanOrEqual(2_500);
  });

  it('SIGKILL of the leader: a new leader after ~1.3 s; SIGTERM: handover in ~20 ms', () => {
    const killed = healthy3();
    const l1 = killed.etcd.leader() as string;
    killed.etcd.crash(l1);
    expect(killed.etcd.leader()).toBeNull();
    expect(killed.etcd.hasQuorum()).toBe(true);
    expect(killed.etcd.write(1)).toEqual({ ok: false, error: etcdError('timeout') });
    const tKill = waitLeader(killed.etcd, 3_000);
    expect(tKill).toBeGreaterThanOrEqual(1_000);
    expect(tKill).toBeLessThanOrEqual(2_500);

    const graceful = healthy3();
    const l2 = graceful.etcd.leader() as string;
    graceful.etcd.stop(l2, true);
    const tStop = waitLeader(graceful.etcd, 3_000);
    expect(tStop).toBeLessThanOrEqual(50);
    expect(graceful.etcd.leader()).not.toBe(l2);
  });

  it('one-way cuts of the leader end in a new leader like a two-way cut (pre-vote, check-quorum)', () => {
    for (const dir of ['out', 'in', 'both'] as const) {
      const { net, etcd } = healthy3();
      const l = etcd.member(etcd.leader() as string)!.name;
      for (const o of CP3) {
        if (o === l) continue;
        if (dir !== 'in') net.cut(l, o);
        if (dir !== 'out') net.cut(o, l);
      }
      etcd.recompute();
      const took = waitLeader(etcd, 3_000);
      expect([dir, took !== null && took >= 1_000]).toEqual([dir, true]);
      expect(etcd.member(etcd.leader() as string)!.name).not.toBe(l);
    }
  });
});

describe('F§4 errors: each request goes through the member it names', () => {
  it('without quorum, writes and linearizable reads time out (indefinite), with etcd text', () => {
    const { etcd } = healthy3();
    etcd.crash('m2');
    etcd.crash('m3');
    etcd.advance(3_000);
    const r = etcd.write(1, 'cp1');
    expect(r).toEqual({
      ok: false,
      error: { code: 'timeout', message: 'context deadline exceeded', definite: false },
    });
    expect(etcd.linearizableReadError('m1')).toEqual(etcdError('timeout'));
    expect(etcd.serializableReadError('m1')).toBeNull();
    // A stopped member refuses the connection: definite.
    expect(etcd.write(2, 'cp2')).toEqual({ ok: false, error: etcdError('unavailable') });
  });

  it('writes, linearizable reads and membership calls through a learner fail "rpc not supported for learner"', () => {
    const { etcd } = healthy3(['cp4']);
    const r = etcd.addLearner('cp4', 'cp1');
    expect(r).toEqual({ ok: true, id: 'm4' });
    expect(etcd.start('m4')).toEqual({ ok: true });
    const learnerRpc = { ok: false, error: etcdError('learner-rpc') };
    expect(etcd.write(1, 'cp4')).toEqual(learnerRpc);
    expect(etcd.linearizableReadError('m4')).toEqual(etcdError('learner-rpc'));
    expect(etcd.serializableReadError('m4')).toBeNull();
    expect(etcd.promote('m4', 'cp4')).toEqual(learnerRpc);
    expect(etcd.removeMember('m3', 'cp4')).toEqual(learnerRpc);
    expect(etcd.write(2, 'cp2')).toMatchObject({ ok: true });
  });
});

describe('F§4 item 4: adding needs the serving member connected to every voter for 5 s', () => {
  it('right after the cluster formed, an add is "unhealthy cluster"; 5 s later it passes', () => {
    const { etcd } = setup(CP3, ['cp4']);
    waitLeader(etcd, 3_000);
    expect(etcd.addLearner('cp4', 'cp1')).toEqual({ ok: false, error: etcdError('unhealthy-cluster') });
    etcd.advance(5_000);
    expect(etcd.addLearner('cp4', 'cp1')).toMatchObject({ ok: true });
  });

  it('with a voter down, any add (learner or voter) is refused "unhealthy cluster"', () => {
    const { etcd } = healthy3(['cp4']);
    etcd.crash('m3');
    expect(etcd.addLearner('cp4', 'cp1')).toEqual({ ok: false, error: etcdError('unhealthy-cluster') });
    expect(etcd.addVoter('cp4', 'cp1')).toEqual({ ok: false, error: etcdError('unhealthy-cluster') });
  });

  it('right after a peer restarted, adds are refused until its connection is 5 s old', () => {
    const { etcd } = healthy3(['cp4']);
    etcd.crash('m3');
    etcd.advance(1_000);
    expect(etcd.start('m3')).toEqual({ ok: true });
    expect(etcd.addLearner('cp4', 'cp1')).toEqual({ ok: false, error: etcdError('unhealthy-cluster') });
    etcd.advance(4_990);
    expect(etcd.addLearner('cp4', 'cp1')).toEqual({ ok: false, error: etcdError('unhealthy-cluster') });
    etcd.advance(10);
    expect(etcd.addLearner('cp4', 'cp1')).toMatchObject({ ok: true });
  });

  it('a second learner: "too many learner members in cluster"', () => {
    const { etcd } = healthy3(['cp4', 'cp5']);
    expect(etcd.addLearner('cp4', 'cp1').ok).toBe(true);
    expect(etcd.addLearner('cp5', 'cp1')).toEqual({ ok: false, error: etcdError('too-many-learners') });
  });
});

describe('F§4 item 4: removing a started member counts members connected for 5 s', () => {
  it('removing a down member is allowed; a started one with another down is "unhealthy cluster"', () => {
    const { etcd } = healthy3();
    etcd.crash('m3');
    expect(etcd.removeMember('m2', 'cp1')).toEqual({ ok: false, error: etcdError('unhealthy-cluster') });
    expect(etcd.removeMember('m3', 'cp1')).toEqual({ ok: true });
  });

  it('right after a peer restart, removing a started member is refused', () => {
    const { etcd } = healthy3();
    etcd.crash('m3');
    etcd.advance(500);
    etcd.start('m3');
    expect(etcd.removeMember('m2', 'cp1')).toEqual({ ok: false, error: etcdError('unhealthy-cluster') });
    etcd.advance(5_000);
    expect(etcd.removeMember('m2', 'cp1')).toEqual({ ok: true });
  });

  it('from a 2-member cluster, removing a member works while both are up', () => {
    const { etcd } = setup(['cp1', 'cp2']);
    waitLeader(etcd, 3_000);
    etcd.advance(5_000);
    expect(etcd.removeMember('m2', etcd.member(etcd.leader() as string)!.name)).toEqual({ ok: true });
    expect(etcd.voters()).toBe(1);
  });
});

describe('F§4: promotion uses the leader progress record', () => {
  it('a caught-up learner that just crashed can still be promoted, until the leader changes', () => {
    const a = healthy3(['cp4']);
    a.etcd.addLearner('cp4', 'cp1');
    a.etcd.start('m4');
    a.etcd.write(1, 'cp1');
    a.etcd.crash('m4');
    expect(a.etcd.promote('m4', 'cp1')).toEqual({ ok: true });

    const b = healthy3(['cp4']);
    b.etcd.addLearner('cp4', 'cp1');
    b.etcd.start('m4');
    b.etcd.crash('m4');
    const leader = b.etcd.leader() as string;
    b.etcd.stop(leader, true);
    b.etcd.start(leader);
    expect(waitLeader(b.etcd, 3_000)).not.toBeNull();
    const via = b.etcd.member(b.etcd.leader() as string)!.name;
    expect(b.etcd.promote('m4', via)).toEqual({ ok: false, error: etcdError('learner-not-ready') });
  });

  it('a learner added but never started is not in sync', () => {
    const { etcd } = healthy3(['cp4']);
    etcd.addLearner('cp4', 'cp1');
    expect(etcd.promote('m4', 'cp1')).toEqual({ ok: false, error: etcdError('learner-not-ready') });
  });
});

describe('F§4 item 5: durability sees total loss and diverged members', () => {
  it('wiping the data of every member loses every acknowledged write, before anyone restarts', () => {
    const { etcd } = healthy3();
    for (let w = 1; w <= 4; w++) expect(etcd.write(w, 'cp1').ok).toBe(true);
    for (const id of ['m1', 'm2', 'm3']) {
      etcd.crash(id);
      etcd.dataLost(id);
    }
    expect(etcd.lostWrites()).toEqual([1, 2, 3, 4]);
  });

  it('wiping all but one keeps the writes (the survivor holds them)', () => {
    const { etcd } = healthy3();
    for (let w = 1; w <= 4; w++) etcd.write(w, 'cp1');
    etcd.crash('m1');
    etcd.dataLost('m1');
    etcd.crash('m2');
    etcd.dataLost('m2');
    expect(etcd.lostWrites()).toEqual([]);
  });

  it('a member that held entries a stale leader truncated never finishes starting until removed and re-added', () => {
    const { net, etcd } = healthy3(['cp4']);
    // cp3 lags behind a partition; cp1 and cp2 commit 1..3.
    const cuts = net.partition([['cp3']]);
    etcd.recompute();
    for (let w = 1; w <= 3; w++) expect(etcd.write(w, 'cp1').ok).toBe(true);
    // cp1 (which has the data) goes down; cp2 is wiped and restarts under its old identity with no
    // leader around: it votes for the lagging cp3 (F§4's hazard).
    etcd.crash('m1');
    etcd.crash('m2');
    etcd.dataLost('m2');
    net.healCuts(cuts);
    expect(etcd.start('m2')).toEqual({ ok: true });
    expect(waitLeader(etcd, 3_000)).not.toBeNull();
    // Both have empty logs after index 0; either wins, neither has the committed entries.
    expect(['cp2', 'cp3']).toContain(etcd.member(etcd.leader() as string)!.name);
    expect(etcd.lostWrites()).toEqual([1, 2, 3]);
    // cp1 comes back holding the lost entries: it is stuck, its reads time out, its log is not cut back
    // silently into a working member.
    expect(etcd.start('m1')).toEqual({ ok: true });
    expect(etcd.member('m1')!.diverged).toBe(true);
    expect(etcd.linearizableReadError('m1')).toEqual(etcdError('timeout'));
    etcd.advance(60_000);
    expect(etcd.linearizableReadError('m1')).toEqual(etcdError('timeout'));
    // Only removal and a re-add with a new id and an empty dir heal it.
    etcd.crash('m1');
    expect(etcd.removeMember('m1', etcd.member(etcd.leader() as string)!.name)).toEqual({ ok: true });
    etcd.advance(5_000);
    const r = etcd.addLearner('cp1', etcd.member(etcd.leader() as string)!.name);
    expect(r).toEqual({ ok: true, id: 'm4' });
    expect(etcd.start('m4', { emptyDataDir: true })).toEqual({ ok: true });
    expect(etcd.member('m4')!.diverged).toBe(false);
    expect(etcd.serializableReadError('m4')).toBeNull();
  });
});

describe('F§4: process exits', () => {
  it('a removed member restarting exits "permanently removed"; a wiped one under its old id panics', () => {
    const { etcd } = healthy3();
    etcd.write(1, 'cp1');
    etcd.crash('m3');
    expect(etcd.removeMember('m3', 'cp1')).toEqual({ ok: true });
    expect(etcd.start('m3')).toEqual({
      ok: false,
      error: {
        code: 'permanently-removed',
        message: 'the member has been permanently removed from the cluster',
        definite: true,
      },
    });
    // (A fresh 3-member cluster: a leader that knew m2's match index is up.)
    const b = healthy3();
    b.etcd.write(1, 'cp1');
    b.etcd.crash('m2');
    b.etcd.dataLost('m2');
    expect(b.etcd.start('m2')).toEqual({
      ok: false,
      error: etcdError('raft-panic', 'tocommit(1) is out of range [lastIndex(0)]'),
    });
  });
});

// The etcd cluster as abstract Raft (DESIGN.md, "the etcd cluster"; F§4 = ../shared/FACTS.md section 4).
//
// What is abstracted away: messages, timeouts and terms per member. Elections and replication happen
// instantly inside `recompute()`, which the engine calls after every event that can change connectivity
// or membership. What is kept, because the invariants depend on it:
// - voters and learners, quorum = floor(voters/2)+1 (F§4), a leader only where a majority of started
//   voters can reach it, so a minority side never has a leader (no split brain);
// - one global log; every member's log is a prefix of it, `lastIndex` long. The most-up-to-date rule picks
//   the new leader, and a new leader's log wins: anything beyond it is truncated;
// - the strict reconfiguration check, learner limits and promotion readiness, with etcd's error codes;
// - the one way a committed write can be lost: a member whose data dir was wiped restarting under its old
//   identity (F§4 says it must be removed and re-added instead). The durability invariant must be able to
//   catch a policy that does this, so the model lets it happen.
//
// Time (F§4, measured on etcd 3.4.23 with heartbeat 100 ms / election timeout 1 s / pre-vote): a lost leader
// is replaced `electionDelayMs` (1.3 s) after the loss, a gracefully stopping leader hands over in
// `handoverMs` (20 ms); `nextDeadlineMs()` tells the engine when to call `recompute()` again. Connections
// between started members are tracked with the virtual time they were established, for etcd's
// "connected for 5 s" checks on membership changes (mayAddMember / mayRemoveMember).
//
// One-way cuts: a Raft round trip needs both directions, so the model uses two-way links only. Real etcd
// 3.4 with pre-vote agrees: a one-way cut of the leader, in either direction, ends in a new leader like a
// two-way cut (F§4; checked by test/differential/). Cutting the leader's outgoing traffic stops its
// heartbeats, the others elect; cutting its incoming traffic makes it step down (check-quorum fails).
//
// Connectivity is pairwise and direct: a leader keeps the members it can talk to itself, and a candidate
// collects votes from the voters it can talk to itself. For a clean partition (groups) this is the same as
// "the leader's connected component"; for overlapping one-way cuts it is what Raft actually does, since
// Raft messages are never forwarded through a third member.

import { IdRanges } from './id-ranges.js';
import { etcdError, type EtcdError } from './etcd-errors.js';

export { ETCD_ERRORS, etcdError, type EtcdError, type EtcdErrorCode } from './etcd-errors.js';

/** Two-way connectivity between two node names (e.g. `(a, b) => network.connected(a, b)`). */
export type Connectivity = (a: string, b: string) => boolean;

export interface EtcdMember {
  /** "m1", "m2", … assigned in order, never reused. */
  id: string;
  /** The node hostname the member runs on (its peer URL, in etcd terms). */
  name: string;
  learner: boolean;
  started: boolean;
  /** Durable log position: this member holds entries 1..lastIndex of the global log. */
  lastIndex: number;
  /** Why the member's process last crashed on its own (a raft panic), or null. */
  crashReason: string | null;
  /**
   * The member held committed entries that a stale leader later overwrote (F§4): its data conflicts with
   * the cluster's log, so it never finishes starting (its reads time out) until removed and re-added.
   */
  diverged: boolean;
}

export interface LogEntry {
  index: number;
  term: number;
  writeId: number;
}

/**
 * Consecutive log entries of one term carrying consecutive write ids: entry fromIndex+i holds write
 * firstWriteId+i. The log is kept as runs (a batch of workload writes is one run) and expanded into single
 * entries only where one entry at a time matters: truncation and `entries()`.
 */
interface LogRun {
  fromIndex: number;
  term: number;
  firstWriteId: number;
  count: number;
}

export interface EtcdOptions {
  /** etcd's --experimental-max-learners; default 1 (F§4, T#13710). */
  maxLearners: number;
  /** etcd's --strict-reconfig-check; default true (F§4). */
  strictReconfigCheck: boolean;
  /** A learner can be promoted once lastIndex*100 >= leader lastIndex*percent; default 90 (F§4). */
  promoteCatchUpPercent: number;
  /** From losing a leader (crash, cut, removal) to a new one: 1-2.5 s measured, typically 1.3 s (F§4). */
  electionDelayMs: number;
  /** From a graceful stop (SIGTERM) of the leader to its successor: ~20 ms measured (F§4). */
  handoverMs: number;
  /** etcd's HealthInterval: members count as connected for membership changes after 5 s (F§4). */
  healthIntervalMs: number;
}

export const DEFAULT_ETCD_OPTIONS: Readonly<EtcdOptions> = {
  maxLearners: 1,
  strictReconfigCheck: true,
  promoteCatchUpPercent: 90,
  electionDelayMs: 1_300,
  handoverMs: 20,
  healthIntervalMs: 5_000,
};

/** Operating errors are values (`EtcdError`, models/etcd-errors.ts): etcd's code, text and definite flag. */
export type WriteResult = { ok: true; index: number } | { ok: false; error: EtcdError };

/** A batch of writes (`writeBatch`): acknowledged as a whole at log indexes fromIndex..index, or failed. */
export type WriteBatchResult =
  { ok: true; fromIndex: number; index: number } | { ok: false; error: EtcdError };
export type AddResult = { ok: true; id: string } | { ok: false; error: EtcdError };
export type ChangeResult = { ok: true } | { ok: false; error: EtcdError };
export type StartResult = { ok: true } | { ok: false; error: EtcdError };

/** Change notifications, emitted after each public call in the order they happened. */
export type EtcdChange =
  | { type: 'leader'; leader: string | null; term: number }
  | {
      type: 'added' | 'removed' | 'promoted' | 'started' | 'stopped' | 'crashed';
      id: string;
      name: string;
      detail: string;
    }
  | { type: 'commit'; index: number }
  | { type: 'truncated'; toIndex: number; lostAcknowledged: number };

export interface EtcdSnapshot {
  term: number;
  leader: string | null;
  commitIndex: number;
  logLength: number;
  members: EtcdMember[];
  removed: string[];
}

export interface EtcdClusterInit extends Partial<EtcdOptions> {
  /** Defaults to "everyone reaches everyone". */
  connectivity?: Connectivity;
  /** Virtual time in ms (the engine's scheduler). Defaults to a clock moved only by `advance()`. */
  now?: () => number;
}

export type EtcdListener = (e: EtcdChange) => void;

/** Quorum of `voters` voting members: floor(n/2)+1 (F§4). Learners are not voters. */
export function quorumOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * Strict reconfiguration check for adding a voter (etcd IsReadyToAddVotingMember): after the add, the
 * started voters must still be a quorum. etcd's one exception: a 1-member cluster may add a second member,
 * which is how a cluster is restored from one node.
 */
export function canAddVoter(voters: number, startedVoters: number): boolean {
  const after = voters + 1;
  if (startedVoters === 1 && after === 2) return true;
  return startedVoters >= quorumOf(after);
}

/** Strict check for removing a voter (etcd IsReadyToRemoveVotingMember): the rest must keep a quorum. */
export function canRemoveVoter(voters: number, startedVoters: number, removedIsStarted: boolean): boolean {
  return startedVoters - (removedIsStarted ? 1 : 0) >= quorumOf(voters - 1);
}

/** Strict check for promoting a (started) learner (etcd IsReadyToPromoteMember). */
export function canPromote(voters: number, startedVoters: number): boolean {
  return startedVoters + 1 >= quorumOf(voters + 1);
}

/**
 * Internal member state. `leaderMatch` is the match index the current leader's progress tracker holds
 * (it survives the member dying, until the leader changes); `published` is etcd's "started": the member
 * has run at least once (membership.Member.IsStarted), which is what the strict reconfiguration check counts.
 */
interface MemberState extends EtcdMember {
  leaderMatch: number;
  /** The current leader holds a progress record for this member that it has acknowledged at least once. */
  matched: boolean;
  published: boolean;
}

const descending = (a: number, b: number): number => b - a;

export class EtcdCluster {
  private readonly opts: EtcdOptions;
  private connectivity: Connectivity;
  /** Client traffic (membership RPCs) may travel where peer traffic cannot, e.g. a firewalled 2380. */
  private clientConnectivity: Connectivity | null = null;
  private readonly listener: EtcdListener | null;
  private readonly clock: () => number;
  private manualNowMs = 0;

  private readonly list: MemberState[] = [];
  private readonly byId = new Map<string, MemberState>();
  private readonly removedIds = new Set<string>();
  private nextId = 1;

  private readonly log: LogRun[] = [];
  private logLengthValue = 0;
  private termValue = 0;
  private commitValue = 0;
  private leaderId: string | null = null;
  /** When the pending election (or handover) completes; null when none is pending. */
  private electionDueMs: number | null = null;
  /** "a|b" (ids in creation order) -> virtual time since which two started members are connected. */
  private readonly connectedSince = new Map<string, number>();

  private readonly acknowledged = new IdRanges();
  /** Acknowledged writes that a stale leader truncated away (see also `lostWrites`). */
  private readonly lost = new Set<number>();
  private lostCache: { key: string; value: number[] } | null = null;

  private readonly pending: EtcdChange[] = [];
  private readonly scratch: number[] = [];

  /** `listener` receives every change, after the public call that caused it has finished mutating. */
  constructor(init: EtcdClusterInit = {}, listener?: EtcdListener) {
    const d = DEFAULT_ETCD_OPTIONS;
    this.opts = {
      maxLearners: init.maxLearners ?? d.maxLearners,
      strictReconfigCheck: init.strictReconfigCheck ?? d.strictReconfigCheck,
      promoteCatchUpPercent: init.promoteCatchUpPercent ?? d.promoteCatchUpPercent,
      electionDelayMs: init.electionDelayMs ?? d.electionDelayMs,
      handoverMs: init.handoverMs ?? d.handoverMs,
      healthIntervalMs: init.healthIntervalMs ?? d.healthIntervalMs,
    };
    this.connectivity = init.connectivity ?? (() => true);
    this.clock = init.now ?? (() => this.manualNowMs);
    this.listener = listener ?? null;
  }

  get options(): Readonly<EtcdOptions> {
    return this.opts;
  }

  get term(): number {
    return this.termValue;
  }

  get commitIndex(): number {
    return this.commitValue;
  }

  get logLength(): number {
    return this.logLengthValue;
  }

  /** The model's virtual time (ms). */
  get nowMs(): number {
    return this.clock();
  }

  /**
   * Move the built-in clock forward by `ms` and recompute (only without an `init.now`: tests and the
   * differential suite). An engine-driven cluster is moved by its scheduler instead.
   */
  advance(ms: number): void {
    if (ms < 0) throw new Error(`EtcdCluster.advance: negative ${ms}`);
    this.manualNowMs += ms;
    this.recompute();
  }

  /** When `recompute()` must run again for a pending election to complete, or null (F§4 timing). */
  nextDeadlineMs(): number | null {
    return this.electionDueMs;
  }

  /** The global log, one entry per write (a copy, linear in the log: for tests and tools). */
  entries(): LogEntry[] {
    const out: LogEntry[] = [];
    for (const r of this.log) {
      for (let i = 0; i < r.count; i++) {
        out.push({ index: r.fromIndex + i, term: r.term, writeId: r.firstWriteId + i });
      }
    }
    return out;
  }

  /** Replace the (peer) connectivity function; call `recompute()` afterwards. */
  setConnectivity(fn: Connectivity): void {
    this.connectivity = fn;
  }

  /**
   * Set a separate connectivity for client requests (member add/remove/promote). By default they follow
   * peer connectivity. With a peer-only cut a node can still add itself as a learner through the client
   * port but never receives the leader's log (T#13710).
   */
  setClientConnectivity(fn: Connectivity | null): void {
    this.clientConnectivity = fn;
  }

  /**
   * Create the initial voters, all started with empty logs. The first election completes like any other
   * (`electionDelayMs` later), except with a zero delay, when it completes now.
   */
  bootstrap(names: readonly string[]): string[] {
    if (this.list.length > 0 || this.removedIds.size > 0)
      throw new Error('EtcdCluster.bootstrap: already bootstrapped');
    const ids = names.map((name) => {
      const m = this.create(name, false);
      m.started = true;
      m.published = true;
      this.emit({ type: 'added', id: m.id, name, detail: 'bootstrap voter' });
      return m.id;
    });
    this.recompute();
    return ids;
  }

  // ---- queries -------------------------------------------------------------------------------------------

  /** Members in id order (live view of readonly records; copy with `snapshot()` to keep them). */
  members(): readonly Readonly<EtcdMember>[] {
    return this.list;
  }

  member(id: string): Readonly<EtcdMember> | null {
    return this.byId.get(id) ?? null;
  }

  /** The newest member on node `name` (a node has more than one only while a policy misbehaves). */
  memberByName(name: string): Readonly<EtcdMember> | null {
    return this.newestOn(name);
  }

  hasMember(id: string): boolean {
    return this.byId.has(id);
  }

  /** Whether `id` was a member and has been removed (ids are never reused). */
  wasRemoved(id: string): boolean {
    return this.removedIds.has(id);
  }

  leader(): string | null {
    return this.leaderId;
  }

  voters(): number {
    let n = 0;
    for (const m of this.list) if (!m.learner) n++;
    return n;
  }

  learners(): number {
    return this.list.length - this.voters();
  }

  /** floor(voters/2)+1; learners do not count (F§4). */
  quorum(): number {
    return quorumOf(this.voters());
  }

  startedVoters(): number {
    let n = 0;
    for (const m of this.list) if (!m.learner && m.started) n++;
    return n;
  }

  /**
   * A quorum of voters is up and connected: a leader exists, or an election in progress will produce one.
   * The leaderless moments of a normal election or handover (F§4 timing) do not count as lost quorum.
   */
  hasQuorum(): boolean {
    if (this.leaderId !== null) return true;
    return this.candidate(null) !== null;
  }

  /**
   * Acknowledged writeIds that are gone, ascending; empty in a correct run. Gone means either truncated
   * by a stale leader, or above the highest log of every member, started or not (F§4: wiping every
   * member's data loses everything, even before anyone restarts).
   */
  lostWrites(): number[] {
    let held = 0;
    for (const m of this.list) if (!m.diverged && m.lastIndex > held) held = m.lastIndex;
    // The durability invariant asks after every event: answer from the cache while nothing it depends on
    // has changed (the scan below is linear in the log).
    const length = this.logLengthValue;
    const key = `${held}/${length}/${this.acknowledged.size}/${this.lost.size}`;
    if (this.lostCache !== null && this.lostCache.key === key) return this.lostCache.value;
    const out = new Set(this.lost);
    if (held < length) {
      const kept = this.idsOf(0, held);
      this.forEachId(held, length, (w) => {
        if (this.acknowledged.has(w) && !kept.has(w)) out.add(w);
      });
    }
    const value = out.size === 0 ? [] : [...out].sort((x, y) => x - y);
    this.lostCache = { key, value };
    return value;
  }

  /** Calls `fn` with the write id of every entry at positions from..to-1 (0-based), in log order. */
  private forEachId(from: number, to: number, fn: (writeId: number) => void): void {
    for (const r of this.log) {
      const lo = Math.max(from, r.fromIndex - 1);
      const hi = Math.min(to, r.fromIndex - 1 + r.count);
      for (let i = lo; i < hi; i++) fn(r.firstWriteId + (i - (r.fromIndex - 1)));
    }
  }

  /** The write ids held at positions from..to-1 (0-based) as a set of ranges. */
  private idsOf(from: number, to: number): IdRanges {
    const ids = new IdRanges();
    for (const r of this.log) {
      const lo = Math.max(from, r.fromIndex - 1);
      const hi = Math.min(to, r.fromIndex - 1 + r.count);
      if (hi > lo) ids.add(r.firstWriteId + (lo - (r.fromIndex - 1)), hi - lo);
    }
    return ids;
  }

  acknowledgedCount(): number {
    return this.acknowledged.size;
  }

  /**
   * Why a linearizable read served by member `id` fails, or null if it succeeds (F§4): a member that is
   * down refuses the connection; a learner serves only serializable reads; without a leader it reaches,
   * or with diverged data, the read times out (indefinite).
   */
  linearizableReadError(id: string): EtcdError | null {
    const m = this.get(id, 'linearizableReadError');
    return this.serveError(m, true);
  }

  linearizableRead(id: string): boolean {
    return this.linearizableReadError(id) === null;
  }

  /** A serializable read served by member `id`: only needs the process up (learners serve it too). */
  serializableReadError(id: string): EtcdError | null {
    const m = this.get(id, 'serializableReadError');
    return m.started ? null : etcdError('unavailable');
  }

  /** A deep copy for trace checkpoints. */
  snapshot(): EtcdSnapshot {
    return {
      term: this.termValue,
      leader: this.leaderId,
      commitIndex: this.commitValue,
      logLength: this.logLengthValue,
      members: this.list.map(({ id, name, learner, started, lastIndex, crashReason, diverged }) => ({
        id,
        name,
        learner,
        started,
        lastIndex,
        crashReason,
        diverged,
      })),
      removed: [...this.removedIds],
    };
  }

  // ---- data path ---------------------------------------------------------------------------------------

  /**
   * A client write served by the member on node `via` (or straight to the leader when `via` is omitted:
   * the workload's client fails over between endpoints). Errors are etcd's (F§4): a member that is down
   * refuses the connection (definite); a learner refuses the RPC (definite); without a leader reachable
   * from the serving member the request times out: indefinite, although the model drops the proposal
   * (etcd drops proposals without a leader). With a leader, it appends, replicates and commits; a write
   * that did not commit is an indefinite timeout that may still commit later.
   */
  write(writeId: number, via?: string): WriteResult {
    if (via !== undefined) {
      const err = this.serveError(this.newestOn(via), true);
      if (err !== null) return { ok: false, error: err };
    }
    const r = this.writeBatch(writeId, 1);
    return r.ok ? { ok: true, index: r.index } : r;
  }

  /**
   * `count` client writes with ids firstId..firstId+count-1 sent back to back to the leader while nothing
   * else changes: one append of all of them, one replication step. Between two events of a run the
   * cluster's state is fixed, so each of `count` single writes would meet the same leader and the same
   * followers and get the same answer; the log and the acknowledged set end up exactly as after `count`
   * calls of `write` (test/unit/models/etcd-cluster.test.ts checks it), so durability still accounts for
   * every write.
   */
  writeBatch(firstId: number, count: number): WriteBatchResult {
    if (!Number.isInteger(count) || count < 1) throw new Error(`EtcdCluster.writeBatch: count ${count}`);
    const leader = this.leaderMember();
    if (leader === null) return { ok: false, error: etcdError('timeout') };
    const fromIndex = this.logLengthValue + 1;
    const last = this.log[this.log.length - 1];
    if (
      last !== undefined &&
      last.term === this.termValue &&
      last.firstWriteId + last.count === firstId &&
      last.fromIndex + last.count === fromIndex
    ) {
      last.count += count;
    } else {
      this.log.push({ fromIndex, term: this.termValue, firstWriteId: firstId, count });
    }
    this.logLengthValue += count;
    // A write retried under the id of a lost one is in the log again.
    if (this.lost.size > 0) for (let i = 0; i < count; i++) this.lost.delete(firstId + i);
    const index = this.logLengthValue;
    leader.lastIndex = index;
    leader.leaderMatch = index;
    leader.matched = true;
    this.step();
    let result: WriteBatchResult;
    if (this.commitValue >= index && this.logLengthValue >= index) {
      this.acknowledged.add(firstId, count);
      result = { ok: true, fromIndex, index };
    } else {
      result = { ok: false, error: etcdError('timeout') };
    }
    this.flush();
    return result;
  }

  // ---- member processes ----------------------------------------------------------------------------------

  /**
   * Start member `id`'s process. `emptyDataDir` means its data dir is empty (same as `dataLost` first).
   * - A removed member exits "permanently removed" (F§4, T#9789).
   * - A member with an empty data dir under its old identity panics as soon as a leader whose progress
   *   tracker knew it at a higher match index contacts it: that leader sends commit = min(match, committed)
   *   and raft panics with "tocommit(N) is out of range [lastIndex(0)]". The caller retries: a crash loop.
   * - With no such leader reachable it starts with its empty log and votes like any voter. This is the
   *   hazard F§4 forbids: it can help elect a leader that lacks committed entries.
   */
  start(id: string, opts: { emptyDataDir?: boolean } = {}): StartResult {
    if (this.removedIds.has(id)) return { ok: false, error: etcdError('permanently-removed') };
    const m = this.get(id, 'start');
    if (m.started) throw new Error(`EtcdCluster.start: ${id} is already started`);
    if (opts.emptyDataDir === true) m.lastIndex = 0;
    const leader = this.leaderMember();
    if (leader !== null && this.linked(leader, m) && this.panics(m)) {
      this.crashFromPanic(m);
      this.flush();
      return { ok: false, error: etcdError('raft-panic', m.crashReason ?? '') };
    }
    m.started = true;
    m.published = true;
    m.crashReason = null;
    this.emit({ type: 'started', id, name: m.name, detail: `lastIndex ${m.lastIndex}` });
    this.recompute();
    return { ok: true };
  }

  /**
   * Stop member `id`'s process. A graceful stop (SIGTERM) of the leader hands leadership over: the
   * successor is in place `handoverMs` later; a kill leaves the others to time out and elect
   * (`electionDelayMs`, F§4). Stopping a stopped member is a no-op.
   */
  stop(id: string, graceful: boolean): void {
    const m = this.get(id, 'stop');
    if (!m.started) return;
    m.started = false;
    this.emit({ type: 'stopped', id, name: m.name, detail: graceful ? 'graceful' : 'killed' });
    if (this.leaderId === id) this.loseLeader(graceful ? this.opts.handoverMs : this.opts.electionDelayMs);
    this.recompute();
  }

  /** Kill the process (power loss, SIGKILL): a stop without leadership handover. */
  crash(id: string): void {
    this.stop(id, false);
  }

  /**
   * The member's data dir is gone (wipe of EPHEMERAL): its log is empty. A running member is killed first.
   * The cluster (and its leader) still believe it holds its old entries; see `start`.
   */
  dataLost(id: string): void {
    if (this.removedIds.has(id)) return;
    const m = this.get(id, 'dataLost');
    if (m.started) {
      m.started = false;
      this.emit({ type: 'stopped', id, name: m.name, detail: 'killed: data dir lost' });
      if (this.leaderId === id) this.loseLeader(this.opts.electionDelayMs);
    }
    m.lastIndex = 0;
    m.diverged = false;
    this.recompute();
  }

  // ---- membership (one change at a time: each is applied instantly) --------------------------------------

  /**
   * Add a learner on node `name` (not started, empty log), served by the member on node `via` (F§4):
   * the serving member must be up, a voter, and connected to every voter for `healthIntervalMs`
   * ("unhealthy cluster"); then the change needs a leader (else timeout); at apply, at most `maxLearners`
   * learners (T#13710) and one member per peer URL.
   */
  addLearner(name: string, via: string): AddResult {
    return this.add(name, via, true);
  }

  /** Add a voter on node `name` (not started, empty log); as `addLearner`, plus the strict quorum check. */
  addVoter(name: string, via: string): AddResult {
    return this.add(name, via, false);
  }

  /**
   * Remove a member, served by the member on node `via` (etcd mayRemoveMember, F§4). Learners can always
   * go. For a voter, the strict check first counts members that have ever started; then a member the
   * server has no connection to (down or cut off) may go; otherwise the voters connected to the server
   * for `healthIntervalMs` (the server included), minus the removed one, must still be a quorum of the
   * rest, so a remove right after a peer restarted is refused "unhealthy cluster". From a 2-member
   * cluster this passes while both are up. A removed leader is replaced by an election. The removed
   * member's process, if running, must be stopped by the caller; restarting it is 'permanently-removed'.
   */
  removeMember(id: string, via: string): ChangeResult {
    const server = this.newestOn(via);
    const serveErr = this.serveError(server, false);
    if (serveErr !== null) return { ok: false, error: serveErr };
    const s = server as MemberState;
    const m = this.byId.get(id);
    if (m !== undefined && this.opts.strictReconfigCheck && !m.learner) {
      if (!canRemoveVoter(this.voters(), this.publishedVoters(), m.published)) {
        return { ok: false, error: etcdError('not-enough-started-members') };
      }
      const active = m === s || this.connectedAt(s, m) !== null;
      if (active) {
        const healthy = this.connectedVoters(s);
        if (healthy - 1 < quorumOf(this.voters() - 1))
          return { ok: false, error: etcdError('unhealthy-cluster') };
      }
    }
    if (!this.leaderReachable(s)) return { ok: false, error: etcdError('timeout') };
    if (m === undefined) return { ok: false, error: etcdError('member-not-found') };
    this.list.splice(this.list.indexOf(m), 1);
    this.byId.delete(id);
    this.removedIds.add(id);
    this.emit({ type: 'removed', id, name: m.name, detail: m.learner ? 'learner' : 'voter' });
    if (this.leaderId === id) this.loseLeader(this.opts.electionDelayMs);
    this.recompute();
    return { ok: true };
  }

  /**
   * Promote a learner to voter (etcd PromoteMember, forwarded to the leader). The leader's progress record
   * of the learner must be >= promoteCatchUpPercent of the leader's log: the record survives the learner
   * dying until the leader changes, so a caught-up learner that just crashed can still be promoted (F§4).
   * Then the members that have ever started, the learner included, must form a quorum of the new voters.
   */
  promote(id: string, via: string): ChangeResult {
    const server = this.newestOn(via);
    const serveErr = this.serveError(server, false);
    if (serveErr !== null) return { ok: false, error: serveErr };
    if (!this.leaderReachable(server as MemberState)) return { ok: false, error: etcdError('timeout') };
    const leader = this.leaderMember() as MemberState;
    const m = this.byId.get(id);
    if (m === undefined) return { ok: false, error: etcdError('member-not-found') };
    // A learner the leader has never heard from has no match yet (etcd's log is never empty: the learner's
    // own add is an entry), so it is not in sync even when the data log is empty.
    const inSync = m.matched && m.leaderMatch * 100 >= leader.lastIndex * this.opts.promoteCatchUpPercent;
    if (m.learner && !inSync) {
      return { ok: false, error: etcdError('learner-not-ready') };
    }
    if (this.opts.strictReconfigCheck && !canPromote(this.voters(), this.publishedVoters())) {
      return { ok: false, error: etcdError('not-enough-started-members') };
    }
    if (!m.learner) return { ok: false, error: etcdError('member-not-learner') };
    m.learner = false;
    this.emit({ type: 'promoted', id, name: m.name, detail: `lastIndex ${m.lastIndex}` });
    this.recompute();
    return { ok: true };
  }

  // ---- the Raft abstraction ------------------------------------------------------------------------------

  /** Re-derive connections, leadership, replication and commit after any change (connectivity included). */
  recompute(): void {
    // Connections change only with connectivity or processes, never with a write: tracked here, not in step().
    this.trackConnections();
    this.step();
    this.flush();
  }

  private step(): void {
    let leader = this.leaderMember();
    if (leader !== null) {
      // The leader's heartbeats reach its followers first: any that lost data it knew of panic.
      for (const m of this.list) {
        if (m !== leader && m.started && this.panics(m) && this.linked(leader, m)) this.crashFromPanic(m);
      }
      if (!this.holds(leader)) {
        leader = null;
        this.loseLeader(this.opts.electionDelayMs);
      }
    }
    if (leader === null) leader = this.elect();
    if (leader !== null) this.replicate(leader);
    this.advanceCommit();
  }

  /** The leader is gone: the others elect after `delayMs` (F§4 timing). */
  private loseLeader(delayMs: number): void {
    if (this.leaderId === null) return;
    this.leaderId = null;
    this.emit({ type: 'leader', leader: null, term: this.termValue });
    this.electionDueMs = this.clock() + delayMs;
  }

  /**
   * Without a leader: an election starts once a candidate exists and completes `electionDelayMs` later
   * (or at the due time a lost leader or a handover set). If no candidate remains, the election is off.
   */
  private elect(): MemberState | null {
    const next = this.candidate(null);
    if (next === null) {
      this.electionDueMs = null;
      return null;
    }
    const now = this.clock();
    this.electionDueMs ??= now + this.opts.electionDelayMs;
    if (now < this.electionDueMs) return null;
    this.electionDueMs = null;
    return this.becomeLeader(next);
  }

  private leaderMember(): MemberState | null {
    return this.leaderId === null ? null : (this.byId.get(this.leaderId) ?? null);
  }

  /** F§4: a leader stays while it is a started voter that reaches a quorum of started voters. */
  private holds(leader: MemberState): boolean {
    if (!this.votes(leader)) return false;
    let reach = 0;
    for (const m of this.list) if (this.votes(m) && this.linked(leader, m)) reach++;
    return reach >= this.quorum();
  }

  /** A voter that takes part in elections: started, and not stuck on diverged data. */
  private votes(m: MemberState): boolean {
    return !m.learner && m.started && !m.diverged;
  }

  /**
   * The voter that wins an election now, or null: a started voter wins the votes of the started voters it
   * reaches whose logs are not longer than its own (Raft's up-to-date rule; all logs are prefixes of one
   * log, so length decides). Among possible winners the longest log wins, then the lowest id.
   * `exclude` cannot win but still votes.
   */
  private candidate(exclude: MemberState | null): MemberState | null {
    const q = this.quorum();
    let best: MemberState | null = null;
    for (const c of this.list) {
      if (!this.votes(c) || c === exclude) continue;
      if (best !== null && c.lastIndex <= best.lastIndex) continue;
      let votes = 0;
      for (const v of this.list) {
        if (this.votes(v) && v.lastIndex <= c.lastIndex && this.linked(c, v)) votes++;
      }
      if (votes >= q) best = c;
    }
    return best;
  }

  private becomeLeader(m: MemberState): MemberState {
    this.termValue++;
    this.leaderId = m.id;
    // A new leader's progress tracker starts from scratch: it knows nobody's match index yet.
    for (const x of this.list) {
      x.leaderMatch = 0;
      x.matched = false;
    }
    m.leaderMatch = m.lastIndex;
    m.matched = true;
    this.emit({ type: 'leader', leader: m.id, term: this.termValue });
    if (m.lastIndex < this.logLengthValue) this.truncate(m.lastIndex);
    return m;
  }

  /**
   * The new leader's log wins: entries beyond it are overwritten. A member that held only uncommitted
   * entries beyond it is cut back, as in Raft. A member that held *committed* entries beyond it (possible
   * only after a wiped member voted, F§4) cannot accept the new log: it is marked diverged and never
   * finishes starting until it is removed and re-added.
   */
  private truncate(toIndex: number): void {
    // A truncated write is gone unless another entry of the kept log carries its id (a retried write).
    let lostNow = 0;
    const kept = this.idsOf(0, toIndex);
    this.forEachId(toIndex, this.logLengthValue, (w) => {
      if (this.acknowledged.has(w) && !this.lost.has(w) && !kept.has(w)) {
        this.lost.add(w);
        lostNow++;
      }
    });
    while (this.log.length > 0) {
      const r = this.log[this.log.length - 1]!;
      if (r.fromIndex > toIndex) this.log.pop();
      else {
        r.count = Math.min(r.count, toIndex - r.fromIndex + 1);
        break;
      }
    }
    this.logLengthValue = toIndex;
    for (const m of this.list) {
      if (m.lastIndex <= toIndex) continue;
      if (this.commitValue > toIndex) {
        m.diverged = true;
        this.emit({
          type: 'crashed',
          id: m.id,
          name: m.name,
          detail: 'diverged: held committed entries a stale leader overwrote',
        });
      }
      m.lastIndex = toIndex;
    }
    if (this.commitValue > toIndex) this.commitValue = toIndex;
    this.emit({ type: 'truncated', toIndex, lostAcknowledged: lostNow });
  }

  /** Instant replication to every started member (voter or learner) the leader talks to. */
  private replicate(leader: MemberState): void {
    const last = leader.lastIndex;
    for (const m of this.list) {
      if (m.started && !m.diverged && this.linked(leader, m)) {
        m.lastIndex = last;
        m.leaderMatch = last;
        m.matched = true;
      }
    }
  }

  /** commitIndex = the highest index held by a quorum of all voters (started or not); it never decreases. */
  private advanceCommit(): void {
    const s = this.scratch;
    s.length = 0;
    for (const m of this.list) if (!m.learner) s.push(m.diverged ? 0 : m.lastIndex);
    if (s.length === 0) return;
    s.sort(descending);
    const held = s[quorumOf(s.length) - 1] ?? 0;
    if (held > this.commitValue) {
      this.commitValue = held;
      this.emit({ type: 'commit', index: held });
    }
  }

  /** Whether a leader's heartbeat would make raft panic on `m`: commit = min(match, committed) > lastIndex. */
  private panics(m: MemberState): boolean {
    return Math.min(m.leaderMatch, this.commitValue) > m.lastIndex;
  }

  private crashFromPanic(m: MemberState): void {
    const tocommit = Math.min(m.leaderMatch, this.commitValue);
    m.started = false;
    m.crashReason = `tocommit(${tocommit}) is out of range [lastIndex(${m.lastIndex})]`;
    this.emit({ type: 'crashed', id: m.id, name: m.name, detail: m.crashReason });
  }

  // ---- connections and the strict checks ---------------------------------------------------------------

  /** Update when each pair of started members got connected (etcd's peer "active since"). */
  private trackConnections(): void {
    const now = this.clock();
    for (let i = 0; i < this.list.length; i++) {
      const a = this.list[i] as MemberState;
      for (let j = i + 1; j < this.list.length; j++) {
        const b = this.list[j] as MemberState;
        const key = `${a.id}|${b.id}`;
        const up = a.started && b.started && this.linked(a, b);
        if (!up) this.connectedSince.delete(key);
        else if (!this.connectedSince.has(key)) this.connectedSince.set(key, now);
      }
    }
  }

  /** Since when `a` and `b` are connected, or null. */
  private connectedAt(a: MemberState, b: MemberState): number | null {
    if (a === b) return a.started ? 0 : null;
    const [x, y] = this.list.indexOf(a) < this.list.indexOf(b) ? [a, b] : [b, a];
    return this.connectedSince.get(`${x.id}|${y.id}`) ?? null;
  }

  /** Connected for at least healthIntervalMs (etcd isConnectedSince(now - HealthInterval)). */
  private healthyLink(a: MemberState, b: MemberState): boolean {
    if (a === b) return true;
    const since = this.connectedAt(a, b);
    return since !== null && since <= this.clock() - this.opts.healthIntervalMs;
  }

  /** Voters connected to `server` for healthIntervalMs, the server itself included (numConnectedSince). */
  private connectedVoters(server: MemberState): number {
    let n = 0;
    for (const m of this.list) if (!m.learner && this.healthyLink(server, m)) n++;
    return n;
  }

  private publishedVoters(): number {
    let n = 0;
    for (const m of this.list) if (!m.learner && m.published) n++;
    return n;
  }

  private add(name: string, via: string, learner: boolean): AddResult {
    const server = this.newestOn(via);
    const serveErr = this.serveError(server, false);
    if (serveErr !== null) return { ok: false, error: serveErr };
    const s = server as MemberState;
    if (this.opts.strictReconfigCheck) {
      if (!learner && !canAddVoter(this.voters(), this.publishedVoters())) {
        return { ok: false, error: etcdError('not-enough-started-members') };
      }
      for (const m of this.list) {
        if (!m.learner && !this.healthyLink(s, m))
          return { ok: false, error: etcdError('unhealthy-cluster') };
      }
    }
    if (!this.leaderReachable(s)) return { ok: false, error: etcdError('timeout') };
    if (this.hasName(name)) return { ok: false, error: etcdError('peer-url-exists') };
    if (learner && this.learners() >= this.opts.maxLearners) {
      return { ok: false, error: etcdError('too-many-learners') };
    }
    const m = this.create(name, learner);
    this.emit({ type: 'added', id: m.id, name, detail: learner ? 'learner' : 'voter' });
    this.recompute();
    return { ok: true, id: m.id };
  }

  /**
   * Why member `m` cannot serve a request, or null. Down: the connection is refused. A learner serves only
   * status and serializable reads (F§4). `needsLeader` (data requests): without a leader it reaches, or on
   * diverged data, the request times out. Membership requests check the leader later, after their own
   * checks, as etcd does.
   */
  private serveError(m: MemberState | null, needsLeader: boolean): EtcdError | null {
    if (m === null || !m.started) return etcdError('unavailable');
    if (m.learner) return etcdError('learner-rpc');
    if (!needsLeader) return null;
    if (m.diverged || !this.leaderReachable(m)) return etcdError('timeout');
    return null;
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  private linked(a: MemberState, b: MemberState): boolean {
    return a === b || a.name === b.name || this.connectivity(a.name, b.name);
  }

  /** A request served by `m` needs a leader that `m` reaches over the peer network (proposal/forward). */
  private leaderReachable(m: MemberState): boolean {
    const leader = this.leaderMember();
    if (leader === null || m.diverged) return false;
    if (m === leader) return true;
    return this.linked(leader, m);
  }

  private newestOn(name: string): MemberState | null {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const m = this.list[i] as MemberState;
      if (m.name === name) return m;
    }
    return null;
  }

  private hasName(name: string): boolean {
    for (const m of this.list) if (m.name === name) return true;
    return false;
  }

  private create(name: string, learner: boolean): MemberState {
    const m: MemberState = {
      id: `m${this.nextId++}`,
      name,
      learner,
      started: false,
      lastIndex: 0,
      crashReason: null,
      diverged: false,
      leaderMatch: 0,
      matched: false,
      published: false,
    };
    this.list.push(m);
    this.byId.set(m.id, m);
    return m;
  }

  private get(id: string, fn: string): MemberState {
    const m = this.byId.get(id);
    if (m === undefined) {
      const why = this.removedIds.has(id) ? 'removed' : 'unknown';
      throw new Error(`EtcdCluster.${fn}: ${why} member '${id}'`);
    }
    return m;
  }

  private emit(e: EtcdChange): void {
    if (this.listener !== null) this.pending.push(e);
  }

  private flush(): void {
    if (this.listener === null || this.pending.length === 0) return;
    const events = this.pending.splice(0, this.pending.length);
    for (const e of events) this.listener(e);
  }
}

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
// Connectivity is pairwise and direct: a leader keeps the members it can talk to itself, and a candidate
// collects votes from the voters it can talk to itself. For a clean partition (groups) this is the same as
// "the leader's connected component"; for overlapping one-way cuts it is what Raft actually does, since
// Raft messages are never forwarded through a third member.

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
}

export interface LogEntry {
  index: number;
  term: number;
  writeId: number;
}

export interface EtcdOptions {
  /** etcd's --experimental-max-learners; default 1 (F§4, T#13710). */
  maxLearners: number;
  /** etcd's --strict-reconfig-check; default true (F§4). */
  strictReconfigCheck: boolean;
  /** A learner can be promoted once lastIndex*100 >= leader lastIndex*percent; default 90 (F§4). */
  promoteCatchUpPercent: number;
}

export const DEFAULT_ETCD_OPTIONS: Readonly<EtcdOptions> = {
  maxLearners: 1,
  strictReconfigCheck: true,
  promoteCatchUpPercent: 90,
};

/** Operating errors, returned as values. Codes follow etcd's rpctypes errors. */
export type EtcdErrorCode =
  | 'no-leader'
  | 'timeout'
  | 'too-many-learner-members'
  | 'not-enough-started-members'
  | 'member-not-found'
  | 'member-not-learner'
  | 'learner-not-ready'
  | 'peer-url-exists'
  | 'permanently-removed'
  | 'crashed';

/** The messages etcd prints for each code, for traces and for matching issue reports. */
export const ETCD_ERROR_MESSAGES: Readonly<Record<EtcdErrorCode, string>> = {
  'no-leader': 'etcdserver: no leader',
  timeout: 'etcdserver: request timed out',
  'too-many-learner-members': 'etcdserver: too many learner members in cluster',
  'not-enough-started-members': 'etcdserver: re-configuration failed due to not enough started members',
  'member-not-found': 'etcdserver: member not found',
  'member-not-learner': 'etcdserver: can only promote a learner member',
  'learner-not-ready': 'etcdserver: can only promote a learner member which is in sync with leader',
  'peer-url-exists': 'etcdserver: Peer URLs already exists',
  'permanently-removed': 'the member has been permanently removed from the cluster',
  crashed: 'etcd member crashed',
};

/** Why a linearizable read on a member fails (F§2: etcd counts as up only after one succeeds). */
export type EtcdReadError = 'not-started' | 'rpc-not-supported-for-learner' | 'no-leader';

export type WriteResult =
  { ok: true; index: number } | { ok: false; error: 'no-leader' | 'timeout'; definite: boolean };

export type AddResult =
  | { ok: true; id: string }
  | {
      ok: false;
      error: 'no-leader' | 'too-many-learner-members' | 'not-enough-started-members' | 'peer-url-exists';
    };

export type ChangeResult =
  | { ok: true }
  | {
      ok: false;
      error:
        | 'no-leader'
        | 'member-not-found'
        | 'member-not-learner'
        | 'learner-not-ready'
        | 'not-enough-started-members';
    };

export type StartResult =
  { ok: true } | { ok: false; error: 'permanently-removed' | 'crashed'; message: string };

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

/** Internal member state: `leaderMatch` is the match index the current leader's progress tracker holds. */
interface MemberState extends EtcdMember {
  leaderMatch: number;
}

const descending = (a: number, b: number): number => b - a;

export class EtcdCluster {
  private readonly opts: EtcdOptions;
  private connectivity: Connectivity;
  /** Client traffic (membership RPCs) may travel where peer traffic cannot, e.g. a firewalled 2380. */
  private clientConnectivity: Connectivity | null = null;
  private readonly listener: EtcdListener | null;

  private readonly list: MemberState[] = [];
  private readonly byId = new Map<string, MemberState>();
  private readonly removedIds = new Set<string>();
  private nextId = 1;

  private readonly log: LogEntry[] = [];
  private termValue = 0;
  private commitValue = 0;
  private leaderId: string | null = null;

  /** How many log entries carry each writeId (a write may be retried under the same id). */
  private readonly inLog = new Map<number, number>();
  private readonly acknowledged = new Set<number>();
  /** Acknowledged writes that are no longer in the log: what the durability invariant reports. */
  private readonly lost = new Set<number>();

  private readonly pending: EtcdChange[] = [];
  private readonly scratch: number[] = [];

  /** `listener` receives every change, after the public call that caused it has finished mutating. */
  constructor(init: EtcdClusterInit = {}, listener?: EtcdListener) {
    this.opts = {
      maxLearners: init.maxLearners ?? DEFAULT_ETCD_OPTIONS.maxLearners,
      strictReconfigCheck: init.strictReconfigCheck ?? DEFAULT_ETCD_OPTIONS.strictReconfigCheck,
      promoteCatchUpPercent: init.promoteCatchUpPercent ?? DEFAULT_ETCD_OPTIONS.promoteCatchUpPercent,
    };
    this.connectivity = init.connectivity ?? (() => true);
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
    return this.log.length;
  }

  /** The global log (live view; do not mutate). */
  entries(): readonly Readonly<LogEntry>[] {
    return this.log;
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

  /** Create the initial voters, all started with empty logs, and elect a leader. */
  bootstrap(names: readonly string[]): string[] {
    if (this.list.length > 0 || this.removedIds.size > 0)
      throw new Error('EtcdCluster.bootstrap: already bootstrapped');
    const ids = names.map((name) => {
      const m = this.create(name, false);
      m.started = true;
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
    for (let i = this.list.length - 1; i >= 0; i--) {
      const m = this.list[i] as MemberState;
      if (m.name === name) return m;
    }
    return null;
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

  /** A leader exists, i.e. some connected majority of voters is up. */
  hasQuorum(): boolean {
    return this.leaderId !== null;
  }

  /** Acknowledged writeIds that are no longer in the log, ascending. Empty in a correct run. */
  lostWrites(): number[] {
    if (this.lost.size === 0) return [];
    return [...this.lost].sort((a, b) => a - b);
  }

  acknowledgedCount(): number {
    return this.acknowledged.size;
  }

  /** Why a linearizable read on member `id` fails, or null if it succeeds (F§4). */
  linearizableReadError(id: string): EtcdReadError | null {
    const m = this.get(id, 'linearizableReadError');
    if (!m.started) return 'not-started';
    // F§4: a learner serves only status and serializable reads ("rpc not supported for learner", T#5794).
    if (m.learner) return 'rpc-not-supported-for-learner';
    const leader = this.leaderMember();
    if (leader === null || !this.linked(leader, m)) return 'no-leader';
    return null;
  }

  linearizableRead(id: string): boolean {
    return this.linearizableReadError(id) === null;
  }

  /** A deep copy for trace checkpoints. */
  snapshot(): EtcdSnapshot {
    return {
      term: this.termValue,
      leader: this.leaderId,
      commitIndex: this.commitValue,
      logLength: this.log.length,
      members: this.list.map(({ id, name, learner, started, lastIndex, crashReason }) => ({
        id,
        name,
        learner,
        started,
        lastIndex,
        crashReason,
      })),
      removed: [...this.removedIds],
    };
  }

  // ---- data path ---------------------------------------------------------------------------------------

  /**
   * A client write. Without a leader (reachable from `via`, when given) it fails definitely: the proposal
   * was never made. Otherwise the leader appends, replicates and commits; a write that did not commit is an
   * indefinite timeout (it may still commit later), as in etcd.
   */
  write(writeId: number, via?: string): WriteResult {
    const leader = this.leaderMember();
    if (leader === null || (via !== undefined && !this.reaches(via, leader))) {
      return { ok: false, error: 'no-leader', definite: true };
    }
    const index = this.log.length + 1;
    this.log.push({ index, term: this.termValue, writeId });
    this.inLog.set(writeId, (this.inLog.get(writeId) ?? 0) + 1);
    this.lost.delete(writeId);
    leader.lastIndex = index;
    leader.leaderMatch = index;
    this.step();
    let result: WriteResult;
    if (this.commitValue >= index && this.log.length >= index) {
      this.acknowledged.add(writeId);
      result = { ok: true, index };
    } else {
      result = { ok: false, error: 'timeout', definite: false };
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
    if (this.removedIds.has(id)) {
      return { ok: false, error: 'permanently-removed', message: ETCD_ERROR_MESSAGES['permanently-removed'] };
    }
    const m = this.get(id, 'start');
    if (m.started) throw new Error(`EtcdCluster.start: ${id} is already started`);
    if (opts.emptyDataDir === true) m.lastIndex = 0;
    const leader = this.leaderMember();
    if (leader !== null && this.linked(leader, m) && this.panics(m)) {
      this.crashFromPanic(m);
      this.flush();
      return { ok: false, error: 'crashed', message: m.crashReason ?? '' };
    }
    m.started = true;
    m.crashReason = null;
    this.emit({ type: 'started', id, name: m.name, detail: `lastIndex ${m.lastIndex}` });
    this.recompute();
    return { ok: true };
  }

  /**
   * Stop member `id`'s process. A graceful stop of the leader first hands leadership to the most up-to-date
   * voter that can win (F§4), while the old leader still runs and votes. Stopping a stopped member is a no-op.
   */
  stop(id: string, graceful: boolean): void {
    const m = this.get(id, 'stop');
    if (!m.started) return;
    if (graceful && this.leaderId === id) {
      const next = this.candidate(m);
      if (next !== null) {
        this.becomeLeader(next);
        this.replicate(next);
      }
    }
    m.started = false;
    this.emit({ type: 'stopped', id, name: m.name, detail: graceful ? 'graceful' : 'killed' });
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
    }
    m.lastIndex = 0;
    this.recompute();
  }

  // ---- membership (one change at a time: each is applied instantly) --------------------------------------

  /** Add a learner on node `name` (not started, empty log). At most `maxLearners` learners (F§4, T#13710). */
  addLearner(name: string, via: string): AddResult {
    if (!this.leaderReachable(via)) return { ok: false, error: 'no-leader' };
    if (this.hasName(name)) return { ok: false, error: 'peer-url-exists' };
    if (this.learners() >= this.opts.maxLearners) return { ok: false, error: 'too-many-learner-members' };
    const m = this.create(name, true);
    this.emit({ type: 'added', id: m.id, name, detail: 'learner' });
    this.recompute();
    return { ok: true, id: m.id };
  }

  /** Add a voter on node `name` (not started, empty log), subject to the strict reconfiguration check. */
  addVoter(name: string, via: string): AddResult {
    if (!this.leaderReachable(via)) return { ok: false, error: 'no-leader' };
    if (this.hasName(name)) return { ok: false, error: 'peer-url-exists' };
    if (this.opts.strictReconfigCheck && !canAddVoter(this.voters(), this.startedVoters())) {
      return { ok: false, error: 'not-enough-started-members' };
    }
    const m = this.create(name, false);
    this.emit({ type: 'added', id: m.id, name, detail: 'voter' });
    this.recompute();
    return { ok: true, id: m.id };
  }

  /**
   * Remove a member. Learners and members that are down can always go; a started voter only if the rest
   * keep a quorum of started voters (F§4). From a 2-member cluster this passes when both are up, as in etcd,
   * although F§4 calls it unsafe. A removed leader is replaced by an election. The removed member's process,
   * if running, must be stopped by the caller; restarting it yields 'permanently-removed'.
   */
  removeMember(id: string, via: string): ChangeResult {
    if (!this.leaderReachable(via)) return { ok: false, error: 'no-leader' };
    const m = this.byId.get(id);
    if (m === undefined) return { ok: false, error: 'member-not-found' };
    if (
      this.opts.strictReconfigCheck &&
      !m.learner &&
      !canRemoveVoter(this.voters(), this.startedVoters(), m.started)
    ) {
      return { ok: false, error: 'not-enough-started-members' };
    }
    this.list.splice(this.list.indexOf(m), 1);
    this.byId.delete(id);
    this.removedIds.add(id);
    this.emit({ type: 'removed', id, name: m.name, detail: m.learner ? 'learner' : 'voter' });
    if (this.leaderId === id) {
      this.leaderId = null;
      this.emit({ type: 'leader', leader: null, term: this.termValue });
    }
    this.recompute();
    return { ok: true };
  }

  /**
   * Promote a learner to voter: it must be started and caught up to promoteCatchUpPercent of the leader's
   * log, and the started voters (the learner included) must form a quorum of the new voter count (F§4).
   */
  promote(id: string, via: string): ChangeResult {
    if (!this.leaderReachable(via)) return { ok: false, error: 'no-leader' };
    const m = this.byId.get(id);
    if (m === undefined) return { ok: false, error: 'member-not-found' };
    if (!m.learner) return { ok: false, error: 'member-not-learner' };
    const leader = this.leaderMember() as MemberState;
    if (!m.started || m.lastIndex * 100 < leader.lastIndex * this.opts.promoteCatchUpPercent) {
      return { ok: false, error: 'learner-not-ready' };
    }
    if (this.opts.strictReconfigCheck && !canPromote(this.voters(), this.startedVoters())) {
      return { ok: false, error: 'not-enough-started-members' };
    }
    m.learner = false;
    this.emit({ type: 'promoted', id, name: m.name, detail: `lastIndex ${m.lastIndex}` });
    this.recompute();
    return { ok: true };
  }

  // ---- the Raft abstraction ------------------------------------------------------------------------------

  /** Re-derive leadership, replication and commit after any change (connectivity included). */
  recompute(): void {
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
        this.leaderId = null;
        leader = null;
        const next = this.candidate(null);
        if (next === null) this.emit({ type: 'leader', leader: null, term: this.termValue });
        else leader = this.becomeLeader(next);
      }
    } else {
      const next = this.candidate(null);
      if (next !== null) leader = this.becomeLeader(next);
    }
    if (leader !== null) this.replicate(leader);
    this.advanceCommit();
  }

  private leaderMember(): MemberState | null {
    return this.leaderId === null ? null : (this.byId.get(this.leaderId) ?? null);
  }

  /** F§4: a leader stays while it is a started voter that reaches a quorum of started voters. */
  private holds(leader: MemberState): boolean {
    if (!leader.started || leader.learner) return false;
    let reach = 0;
    for (const m of this.list) if (!m.learner && m.started && this.linked(leader, m)) reach++;
    return reach >= this.quorum();
  }

  /**
   * The voter that wins an election now, or null: a started voter wins the votes of the started voters it
   * reaches whose logs are not longer than its own (Raft's up-to-date rule; all logs are prefixes of one
   * log, so length decides). Among possible winners the longest log wins, then the lowest id.
   * `exclude` (a leader transferring leadership) cannot win but still votes.
   */
  private candidate(exclude: MemberState | null): MemberState | null {
    const q = this.quorum();
    let best: MemberState | null = null;
    for (const c of this.list) {
      if (c.learner || !c.started || c === exclude) continue;
      if (best !== null && c.lastIndex <= best.lastIndex) continue;
      let votes = 0;
      for (const v of this.list) {
        if (!v.learner && v.started && v.lastIndex <= c.lastIndex && this.linked(c, v)) votes++;
      }
      if (votes >= q) best = c;
    }
    return best;
  }

  private becomeLeader(m: MemberState): MemberState {
    this.termValue++;
    this.leaderId = m.id;
    // A new leader's progress tracker starts from scratch: it knows nobody's match index yet.
    for (const x of this.list) x.leaderMatch = 0;
    m.leaderMatch = m.lastIndex;
    this.emit({ type: 'leader', leader: m.id, term: this.termValue });
    if (m.lastIndex < this.log.length) this.truncate(m.lastIndex);
    return m;
  }

  /** The new leader's log wins: entries beyond it are overwritten, on every member. */
  private truncate(toIndex: number): void {
    let lostNow = 0;
    for (let i = this.log.length - 1; i >= toIndex; i--) {
      const w = (this.log[i] as LogEntry).writeId;
      const n = (this.inLog.get(w) ?? 1) - 1;
      if (n > 0) {
        this.inLog.set(w, n);
        continue;
      }
      this.inLog.delete(w);
      if (this.acknowledged.has(w) && !this.lost.has(w)) {
        this.lost.add(w);
        lostNow++;
      }
    }
    this.log.length = toIndex;
    for (const m of this.list) if (m.lastIndex > toIndex) m.lastIndex = toIndex;
    // Only possible when the new leader lacks committed entries, i.e. after a wiped member voted.
    if (this.commitValue > toIndex) this.commitValue = toIndex;
    this.emit({ type: 'truncated', toIndex, lostAcknowledged: lostNow });
  }

  /** Instant replication to every started member (voter or learner) the leader talks to. */
  private replicate(leader: MemberState): void {
    const last = leader.lastIndex;
    for (const m of this.list) {
      if (m.started && this.linked(leader, m)) {
        m.lastIndex = last;
        m.leaderMatch = last;
      }
    }
  }

  /** commitIndex = the highest index held by a quorum of all voters (started or not); it never decreases. */
  private advanceCommit(): void {
    const s = this.scratch;
    s.length = 0;
    for (const m of this.list) if (!m.learner) s.push(m.lastIndex);
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

  // ---- helpers -------------------------------------------------------------------------------------------

  private linked(a: MemberState, b: MemberState): boolean {
    return a === b || a.name === b.name || this.connectivity(a.name, b.name);
  }

  private reaches(node: string, leader: MemberState): boolean {
    return node === leader.name || (this.clientConnectivity ?? this.connectivity)(node, leader.name);
  }

  /** Membership requests need a leader reachable from the requesting node. */
  private leaderReachable(via: string): boolean {
    const leader = this.leaderMember();
    return leader !== null && this.reaches(via, leader);
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
      leaderMatch: 0,
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

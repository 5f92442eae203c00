// The etcd driver: executes what the etcd side of the models asks for against the etcd cluster model
// (models/etcd-cluster.ts): starting a node's etcd service with the data dir it has, the service's
// membership calls (remove by name, add as learner or voter, start, promote, stop), Talos's etcd leave, the
// control-plane pre-checks of the Upgrade handler and the Kubernetes API calls of cordon and drain, which
// answer only while etcd has a leader (F§2-F§4). Replies go back to the models through the scheduler, after
// an RPC's latency, so every step stays an ordered (time, seq) event.
import type { EtcdError } from '../../models/etcd-cluster.js';
import { ETCD_SERVICE_TIMING, type EtcdServiceEmitted } from '../../models/etcd-service.js';
import type { TalosProfile } from '../../models/types.js';
import { etcdPrecheck } from '../../models/precheck.js';
import type { SimNode, World } from './world.js';

/** Cordon waits at most this for the Kubernetes API (F§3), polling it this often. */
const KUBE_API_WAIT_MS = 60_000;
const KUBE_API_POLL_MS = 1_000;
/** Latency of one etcd RPC from a node's etcd client. */
export const ETCD_RPC_MS = 5;

/** An etcd error as the service logs it: the code and etcd's own message. */
function etcdError(e: EtcdError): string {
  return `${e.code}: ${e.message}`;
}

export class EtcdDriver {
  constructor(private readonly w: World) {}

  /** Start (or restart) a node's etcd service with its data dir as it is now. */
  startService(node: SimNode): void {
    const dataDir = node.actor.getSnapshot().context.disk.ephemeral.etcd;
    const old = this.w.etcd.memberByName(node.name);
    const rejoin = this.w.scenario.upgrade?.policy.etcdRejoin ?? 'learner';
    const promote = !this.w.scenario.quirks.includes('no-learner-promotion');
    node.etcd!.send({
      type: 'START',
      memberId: dataDir?.memberId ?? null,
      oldMemberId: old?.id ?? null,
      rejoin,
      promote,
    });
  }

  /**
   * Which node's etcd serves this node's membership requests (Talos joins and promotes through a client
   * over the control planes' endpoints): its own member when that is a started voter, else the first
   * started voter it reaches. The model routes each request through the member that serves it (F§4).
   */
  private clientEndpoint(node: SimNode): string {
    const own = this.w.etcd.memberByName(node.name);
    if (own && own.started && !own.learner) return node.name;
    for (const m of this.w.etcd.members()) {
      if (m.started && !m.learner && this.w.network.connected(node.name, m.name)) return m.name;
    }
    return node.name;
  }

  /** For traces: the data dir's member id, else the member listed under the node's name. */
  memberLabel(node: SimNode): string {
    return (
      node.actor.getSnapshot().context.disk.ephemeral.etcd?.memberId ??
      this.w.etcd.memberByName(node.name)?.id ??
      '-'
    );
  }

  /** The member id recorded in this node's etcd data dir, or the member listed under its hostname. */
  memberOf(node: SimNode): string | null {
    const dir = node.actor.getSnapshot().context.disk.ephemeral.etcd;
    if (dir) return this.w.etcd.hasMember(dir.memberId) ? dir.memberId : null;
    return this.w.etcd.memberByName(node.name)?.id ?? null;
  }

  leave(node: SimNode): void {
    this.w.settle();
    let result: { ok: boolean; reason: string };
    if (node.leaveFailures === null || node.leaveFailures > 0) {
      // T#7423/T#8759: the leave RPC fails with "server stopped". When `applied`, the member was removed
      // all the same: the error is indefinite, and the node believes it is still a member.
      if (node.leaveFailures !== null) node.leaveFailures--;
      const m = this.memberOf(node);
      if (node.leaveFailureApplied && m) {
        this.w.etcd.removeMember(m, node.name);
        this.w.markEtcdDirty();
      }
      result = { ok: false, reason: 'etcdserver: server stopped' };
    } else {
      const m = this.memberOf(node);
      if (!m) result = { ok: true, reason: 'not a member' };
      else {
        const r = this.w.etcd.removeMember(m, node.name);
        result = r.ok ? { ok: true, reason: 'left' } : { ok: false, reason: etcdError(r.error) };
        this.w.markEtcdDirty();
      }
    }
    this.w.trace({
      type: 'etcd.member',
      node: node.name,
      member: this.memberLabel(node),
      change: result.ok ? 'leave' : 'leave-failed',
      detail: result.reason,
    });
    node.actor.send({ type: 'ETCD_LEAVE_RESULT', ok: result.ok, reason: result.reason });
  }

  /**
   * The control-plane part of Talos's Upgrade handler (F§3): TryLock the cluster-wide upgrade mutex (a
   * request that finds it held is refused at once), run the etcd pre-checks (models/precheck.ts) and
   * release the mutex when the call returns. The result goes to the node when the checks are done.
   */
  precheck(node: SimNode, rules: TalosProfile, preserve: boolean): void {
    this.w.settle();
    const reply = (ok: boolean, reason: string) => node.actor.send({ type: 'PRECHECK_RESULT', ok, reason });
    const lock = this.w.upgradeMutex.tryLock(node.name, this.w.etcd.leader() !== null);
    this.w.trace({
      type: 'upgrade.step',
      node: node.name,
      step: lock.ok ? 'mutex-locked' : 'mutex-refused',
      ...(lock.ok ? {} : { detail: lock.reason }),
    });
    if (!lock.ok) return void reply(false, lock.reason);
    const verdict = etcdPrecheck({
      rules,
      preserve,
      members: this.w.etcd.members().map((m) => ({
        id: m.id,
        name: m.name,
        learner: m.learner,
        started: m.started,
        readError: this.readErrorText(m.id),
      })),
    });
    this.w.scheduler.after(verdict.tookMs, () => {
      this.w.upgradeMutex.unlock(node.name);
      this.w.trace({ type: 'upgrade.step', node: node.name, step: 'mutex-unlocked' });
      if (!verdict.ok) return void reply(false, verdict.reason);
      if (!this.memberOf(node)) return void reply(false, 'this node is not an etcd member');
      reply(true, 'ok');
    });
  }

  /**
   * The Kubernetes API answers only while etcd has a leader (F§2). Cordon waits for it at most 1 min;
   * drain lists the pods once and fails if it cannot (F§3).
   */
  kubeApi(node: SimNode, purpose: 'cordon' | 'drain', sinceMs: number): void {
    this.w.settle();
    const reply = (ok: boolean, reason: string) => node.actor.send({ type: 'KUBE_API_RESULT', ok, reason });
    if (this.w.externalKubeApi ? this.w.externalKubeApi() : this.w.etcd.leader() !== null)
      return void reply(true, 'ok');
    if (purpose === 'drain')
      return void reply(false, 'the Kubernetes API is unavailable (etcd has no leader)');
    if (this.w.scheduler.now - sinceMs >= KUBE_API_WAIT_MS) {
      return void reply(false, 'the Kubernetes API did not answer within 1 min (etcd has no leader)');
    }
    this.w.scheduler.after(KUBE_API_POLL_MS, () => this.kubeApi(node, purpose, sinceMs));
  }

  /** A failed linearizable read as the client sees it: etcd's own error (F§4), or null if it answers. */
  private readErrorText(id: string): string | null {
    const err = this.w.etcd.linearizableReadError(id);
    return err === null ? null : etcdError(err);
  }

  serviceEffect(node: SimNode, e: EtcdServiceEmitted): void {
    const svc = node.etcd!;
    this.w.markDirty(node.name);
    const reply = (ok: boolean, extra: { error?: string; memberId?: string; learner?: boolean } = {}) =>
      this.w.scheduler.after(ETCD_RPC_MS, () => svc.send({ type: 'RESULT', ok, ...extra }));
    switch (e.type) {
      case 'state':
        node.etcdState = e.state;
        this.w.trace({
          type: 'etcd.member',
          node: node.name,
          member: this.memberLabel(node),
          change: `service:${e.state}`,
          ...(e.detail ? { detail: e.detail } : {}),
        });
        return;
      case 'removeByName': {
        this.w.settle();
        const old = this.w.etcd.memberByName(node.name);
        if (!old) return void reply(true);
        const r = this.w.etcd.removeMember(old.id, this.clientEndpoint(node));
        this.w.markEtcdDirty();
        return void reply(r.ok, r.ok ? {} : { error: etcdError(r.error) });
      }
      case 'addVoter': {
        this.w.settle();
        const r = this.w.etcd.addVoter(node.name, this.clientEndpoint(node));
        this.w.markEtcdDirty();
        return void reply(r.ok, r.ok ? { memberId: r.id } : { error: etcdError(r.error) });
      }
      case 'addLearner': {
        this.w.settle();
        const r = this.w.etcd.addLearner(node.name, this.clientEndpoint(node));
        this.w.markEtcdDirty();
        return void reply(r.ok, r.ok ? { memberId: r.id } : { error: etcdError(r.error) });
      }
      case 'identity':
        node.actor.send({ type: 'ETCD_IDENTITY', memberId: e.memberId });
        return;
      case 'startMember': {
        this.w.settle();
        if (!this.w.etcd.hasMember(e.memberId) && !this.w.etcd.wasRemoved(e.memberId)) {
          return void reply(false, { error: `member ${e.memberId} unknown` });
        }
        // The service restarts the process with the same arguments (F§3); whether the data dir is still
        // there is the disk's business: a dir wiped since the service started is empty now.
        const dirGone = node.actor.getSnapshot().context.disk.ephemeral.etcd === null;
        const r = this.w.etcd.start(e.memberId, { emptyDataDir: e.emptyDataDir || dirGone });
        this.w.markEtcdDirty();
        const learner = r.ok ? (this.w.etcd.member(e.memberId)?.learner ?? false) : false;
        return void reply(r.ok, r.ok ? { learner } : { error: etcdError(r.error) });
      }
      case 'promote': {
        this.w.settle();
        const r = this.w.etcd.promote(e.memberId, this.clientEndpoint(node));
        this.w.markEtcdDirty();
        if (!r.ok && r.error.code === 'timeout') {
          // Without a leader the attempt runs into its 30-s timeout before it fails (F§3, F§4).
          const error = etcdError(r.error);
          this.w.scheduler.after(ETCD_SERVICE_TIMING.promoteAttemptTimeoutMs, () =>
            svc.send({ type: 'RESULT', ok: false, error }),
          );
          return;
        }
        return void reply(r.ok, r.ok ? {} : { error: etcdError(r.error) });
      }
      case 'stopMember':
        if (e.memberId && this.w.etcd.hasMember(e.memberId)) {
          this.w.etcd.stop(e.memberId, true);
          this.w.markEtcdDirty();
        }
        return;
    }
  }
}

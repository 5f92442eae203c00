// The cluster-wide etcd mutex Talos's Upgrade handler takes before its pre-checks (F§3): a *non-blocking*
// TryLock, held only for the API call (not across the reboot). A request that finds it held is refused
// "failed to acquire upgrade mutex". It lives in etcd, so taking it needs a write, i.e. a leader.

export type TryLockResult = { ok: true } | { ok: false; reason: string };

export class UpgradeMutex {
  private holderNode: string | null = null;

  get holder(): string | null {
    return this.holderNode;
  }

  /** `etcdWritable`: whether the caller's etcd client can commit (the lock key is an etcd write). */
  tryLock(node: string, etcdWritable: boolean): TryLockResult {
    if (!etcdWritable) {
      return { ok: false, reason: 'failed to acquire upgrade mutex: etcdserver: request timed out' };
    }
    if (this.holderNode !== null) {
      // etcd's concurrency.ErrLocked, wrapped by Talos.
      return { ok: false, reason: 'failed to acquire upgrade mutex: mutex: Locked by another session' };
    }
    this.holderNode = node;
    return { ok: true };
  }

  unlock(node: string): void {
    if (this.holderNode !== node) {
      throw new Error(`UpgradeMutex.unlock: ${node} does not hold the mutex (holder: ${this.holderNode})`);
    }
    this.holderNode = null;
  }
}

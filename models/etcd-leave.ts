// How Talos <= 1.7 leaves etcd before an upgrade (F§3): LeaveCluster retries only etcd's ErrUnhealthy
// ("unhealthy cluster") and ErrStopped ("server stopped"), every 10 s for up to 5 min; anything else —
// "not enough started members" (T#1768), no leader, a timeout — fails the sequence at once.

export const ETCD_LEAVE_TIMING = {
  retryEveryMs: 10_000,
  budgetMs: 5 * 60_000,
} as const;

/** Whether a failed leave is retried: only ErrUnhealthy and ErrStopped are (F§3). */
export function leaveErrorRetryable(reason: string): boolean {
  return reason.includes('unhealthy cluster') || reason.includes('server stopped');
}

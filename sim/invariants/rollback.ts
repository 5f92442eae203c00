// rollback: a node whose new image fails to boot comes back Running on some version (normally the
// previous one) within the bootloader profile's tries. We bound that by time: tries x the longest boot
// path, plus the 10 s revert reboot (F§2). A boot loop on a panicking kernel under the `talos` profile
// (not covered before init) violates it, as FACTS.md section 2 predicts. The bound is a deadline: when a
// node first fails, a check is scheduled at the deadline itself (issue 6 item 12).
import { nodesToCheck } from './dirty.js';
import type { Invariant, InvariantEnv, Violation } from './invariant.js';

/** Machine states that mean "this boot failed" (F§2): a panic, a hang, an initramfs error, machined's. */
export const FAILED_BOOT_STATES: ReadonlySet<string> = new Set([
  'bootFailed',
  'panicked',
  'hung',
  'initramfsFailed',
]);

export function rollbackInvariant(boundMs: number): Invariant {
  /** node -> time of the first failed boot not yet followed by a successful one. */
  const since = new Map<string, { t: number; version: string }>();
  return {
    name: 'rollback',
    liveness: false,
    check(env: InvariantEnv): Violation | null {
      // Only a node that changed can start or end a failed-boot episode; the deadlines are scheduled.
      for (const n of nodesToCheck(env)) {
        const c = n.actor.getSnapshot().context;
        if (n.state === 'running') since.delete(n.name);
        else if (FAILED_BOOT_STATES.has(n.state) && !since.has(n.name)) {
          since.set(n.name, { t: env.now, version: c.version ?? '?' });
          env.wakeAt(env.now + boundMs);
        }
      }
      for (const [node, s] of since) {
        if (env.now - s.t >= boundMs) {
          return {
            nodes: [node],
            message: `${node} failed to boot ${s.version} at ${s.t} ms and is not running again ${boundMs} ms later`,
          };
        }
      }
      return null;
    },
  };
}

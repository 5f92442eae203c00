// Talos's etcd pre-checks before a control-plane upgrade (F§3), as a pure function of what the node's etcd
// client sees. The API handler runs them while it holds the cluster-wide upgrade mutex (sim/cluster/
// upgrade-mutex.ts); `force` skips both. Reasons are Talos's own texts (v1alpha1_server.go, etcd.go).
import type { TalosProfile } from './types.js';

/** Every member must answer a linearizable read within this (F§3). */
export const PRECHECK_READ_TIMEOUT_MS = 15_000;
/** How long the checks take when every member answers at once: a member list and one read each. */
export const PRECHECK_HEALTHY_MS = 1_000;

export interface PrecheckMember {
  id: string;
  name: string;
  learner: boolean;
  started: boolean;
  /** Why a linearizable read through this member fails, or null if it answers. */
  readError: string | null;
}

export interface PrecheckInput {
  /** The rule set of the node's running version (F§3). */
  rules: TalosProfile;
  preserve: boolean;
  /** The member list as the node's etcd client gets it (learners included). */
  members: readonly PrecheckMember[];
}

export type PrecheckVerdict = { ok: true; tookMs: number } | { ok: false; reason: string; tookMs: number };

/**
 * The checks in Talos's order (F§3): (<=1.7 without preserve) refuse a 1-member cluster, since leaving it
 * would destroy it; refuse exactly 2 members (learners count: losing one loses quorum); refuse if any member
 * is not started; every member must answer a linearizable read within 15 s (a learner never does).
 */
export function etcdPrecheck(input: PrecheckInput): PrecheckVerdict {
  const n = input.members.length;
  const quick = PRECHECK_HEALTHY_MS;
  if (input.rules === 'talos-1.7' && !input.preserve && n === 1) {
    return {
      ok: false,
      reason: 'only 1 etcd member found; assuming this is not an HA setup and refusing to upgrade',
      tookMs: quick,
    };
  }
  if (n === 2) {
    return {
      ok: false,
      reason: `etcd member count(${n}) is insufficient to maintain quorum if upgrade commences`,
      tookMs: quick,
    };
  }
  for (const m of input.members) {
    if (!m.started) {
      return {
        ok: false,
        reason: `etcd member ${m.id} (${m.name}) is not started, all members must be running to perform an upgrade`,
        tookMs: quick,
      };
    }
  }
  for (const m of input.members) {
    if (m.readError !== null) {
      // A learner refuses at once; a member without a leader makes the read wait out its 15 s.
      const learner = m.learner;
      return {
        ok: false,
        reason: `etcd member ${m.id} (${m.name}) is not healthy; all members must be healthy to perform an upgrade: ${m.readError}`,
        tookMs: learner ? quick : PRECHECK_READ_TIMEOUT_MS,
      };
    }
  }
  return { ok: true, tookMs: quick };
}

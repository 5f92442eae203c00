// durability: every write etcd acknowledged (committed on a majority) is still in the log. Only a member
// voting with a log it lost (restarted in place on a wiped data dir, F§4) can break this.
import type { Invariant, Violation } from './invariant.js';

export const durabilityInvariant: Invariant = {
  name: 'durability',
  liveness: false,
  check(env): Violation | null {
    const lost = env.world.etcd.lostWrites();
    if (lost.length === 0) return null;
    const leaderId = env.world.etcd.leader();
    const leader = leaderId ? env.world.etcd.member(leaderId)?.name : undefined;
    return {
      nodes: leader ? [leader] : [],
      message: `${lost.length} acknowledged write(s) lost (first id ${lost[0]}); leader now ${leader ?? 'none'}`,
    };
  },
};

// quorum: etcd keeps a leader (quorum of voting members) at every moment once the cluster has formed.
// With `tolerateFaults`, losing quorum is excused while the injected faults alone take out more voters
// than the cluster tolerates (floor((voters-1)/2)): then it is the faults, not the upgrade policy.
import type { Invariant, InvariantEnv, Violation } from './invariant.js';

export function quorumInvariant(tolerateFaults: boolean): Invariant {
  return {
    name: 'quorum',
    liveness: false,
    check(env: InvariantEnv): Violation | null {
      const etcd = env.world.etcd;
      if (etcd.leader() !== null) return null;
      const voters = etcd.members().filter((m) => !m.learner);
      const tolerance = Math.floor((voters.length - 1) / 2);
      const out = env.faults.nodesTakenOut();
      const faultedVoters = voters.filter((m) => out.has(m.name));
      if (tolerateFaults && faultedVoters.length > tolerance) return null;
      const down = voters.filter((m) => !m.started).map((m) => m.name);
      return {
        nodes: down,
        message:
          `etcd lost quorum: ${voters.length - down.length}/${voters.length} voters started` +
          (down.length ? ` (down: ${down.join(', ')})` : ' (partitioned)') +
          `; faults took out ${faultedVoters.length}, tolerance ${tolerance}`,
      };
    },
  };
}

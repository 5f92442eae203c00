// quorum: etcd keeps a leader (quorum of voting members) at every moment once the cluster has formed.
// With `tolerateFaults`, losing quorum is excused while the injected faults alone take out more voters
// than the cluster as built tolerates (floor((control planes - 1)/2)): then it is the faults, not the
// upgrade policy. The tolerance comes from the cluster as built, not the current voters: a talos-1.7
// upgrade that has left etcd shrinks the voters to 2 (tolerance 0), and that shrinking is the upgrade's
// doing, so a single fault on top of it is not excused.
import type { Invariant, InvariantEnv, Violation } from './invariant.js';

export function quorumInvariant(tolerateFaults: boolean, controlPlanes: number): Invariant {
  const tolerance = Math.floor((controlPlanes - 1) / 2);
  return {
    name: 'quorum',
    liveness: false,
    check(env: InvariantEnv): Violation | null {
      const etcd = env.world.etcd;
      if (etcd.hasQuorum()) return null;
      const voters = etcd.members().filter((m) => !m.learner);
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

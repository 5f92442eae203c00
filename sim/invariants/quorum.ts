// quorum: etcd keeps a leader (quorum of voting members) at every moment once the cluster has formed.
// With `tolerateFaults`, losing quorum is excused while the injected faults alone take out more control
// planes than the cluster as built tolerates (floor((control planes - 1)/2)): then it is the faults, not the
// upgrade policy. Both sides of that comparison are counted on the cluster as built, not on the current
// voters: a talos-1.7 upgrade that has left etcd shrinks the voters to 2 (tolerance 0), and that shrinking is
// the upgrade's doing, so a single fault on top of it is not excused; while a member an operator removed
// (etcdRemoveMember) is no voter any more but still one control plane the faults took out (issue 6 item 6).
import type { Invariant, InvariantEnv, Violation } from './invariant.js';

export function quorumInvariant(tolerateFaults: boolean, controlPlanes: readonly string[]): Invariant {
  const tolerance = Math.floor((controlPlanes.length - 1) / 2);
  return {
    name: 'quorum',
    liveness: false,
    check(env: InvariantEnv): Violation | null {
      const etcd = env.world.etcd;
      if (etcd.hasQuorum()) return null;
      const out = env.faults.nodesTakenOut();
      const faulted = controlPlanes.filter((n) => out.has(n));
      if (tolerateFaults && faulted.length > tolerance) return null;
      const voters = etcd.members().filter((m) => !m.learner);
      const down = voters.filter((m) => !m.started).map((m) => m.name);
      return {
        nodes: down,
        message:
          `etcd lost quorum: ${voters.length - down.length}/${voters.length} voters started` +
          (down.length ? ` (down: ${down.join(', ')})` : ' (partitioned)') +
          `; faults took out ${faulted.length} control plane(s), tolerance ${tolerance}`,
      };
    },
  };
}

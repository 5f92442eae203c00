// The invariants a scenario asks for, built in the scenario's order.
import type { Scenario } from '../scenario/types.js';
import { TALOS_TIMEOUTS } from '../../models/node.js';
import { bootableInvariant } from './bootable.js';
import { convergenceInvariant } from './convergence.js';
import { durabilityInvariant } from './durability.js';
import type { Invariant } from './invariant.js';
import { quorumInvariant } from './quorum.js';
import { rollbackInvariant } from './rollback.js';
import { singleUpgraderInvariant } from './single-upgrader.js';
import { versionSkewInvariant } from './version-skew.js';

export type { Invariant, InvariantEnv, Violation } from './invariant.js';

/** How long a node may take to come back after a failed boot: its tries, each a full boot path. */
export function rollbackBoundMs(s: Scenario): number {
  const t = s.timing;
  const perTry =
    t.firmware.maxMs +
    t.kernel.maxMs +
    t.init.maxMs +
    t.ready.maxMs +
    TALOS_TIMEOUTS.revertRebootMs +
    TALOS_TIMEOUTS.panicRebootMs;
  const tries = s.bootloader === 'boot-counting' ? s.bootTries + 1 : 2;
  return tries * perTry + 5 * 60_000;
}

export function buildInvariants(s: Scenario): Invariant[] {
  return s.invariants.map((name): Invariant => {
    switch (name) {
      case 'quorum':
        return quorumInvariant(
          s.quorumTolerateFaults,
          s.cluster.nodes.filter((n) => n.role === 'controlplane').map((n) => n.name),
        );
      case 'bootable':
        return bootableInvariant();
      case 'rollback':
        return rollbackInvariant(rollbackBoundMs(s));
      case 'durability':
        return durabilityInvariant;
      case 'single-upgrader':
        return singleUpgraderInvariant();
      case 'convergence':
        return convergenceInvariant;
      case 'version-skew':
        return versionSkewInvariant();
    }
  });
}

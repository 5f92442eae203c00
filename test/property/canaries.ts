// The planted bugs the properties must catch (issue 7, "Must show"). Each is built in test code only:
// a policy (policies are data), or a model variant made with XState's `machine.provide(...)` and passed
// through simulate's test hooks. Two more (the quorum excuse, the boot-once fault) replace a function
// with `vi.mock` in their own test files, since they live in plain functions, not machines.
import { emit, enqueueActions } from 'xstate';
import { etcdServiceMachine } from '../../models/etcd-service.js';
import { nodeMachine } from '../../models/node.js';
import type { Hooks, PolicyFields } from './world.js';

export interface Canary {
  /** The planted bug, as the issue names it. */
  bug: string;
  /** The property (key of PROPERTIES) that must catch it. */
  property: string;
  hooks?: Hooks;
  /** Changes every drawn policy. */
  policy?: (drawn: PolicyFields) => PolicyFields;
  /** What the failure must say. */
  message: RegExp;
  /** Measured at PROPERTY_SEED, then asserted as bounds (canaries.property.test.ts). */
  caughtWithinRuns: number;
  shrunkFaults: { min: number; max: number };
}

/** A boot sequence that never reverts: META tag 6 is ignored after a fatal error (F§2 says it reverts). */
const neverReverts = nodeMachine.provide({
  actions: {
    onFailedBoot: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'state', state: 'bootFailed' });
      enqueue.emit({ type: 'boot.failed', stage: 'init', version: context.version ?? '', reverted: false });
      enqueue.emit({ type: 'etcd.stop', graceful: true });
    }),
  },
});

/** A rejoin that skips the learner step and adds the new member straight as a voter (F§3 says learner). */
const joinsAsVoter = etcdServiceMachine.provide({ actions: { requestJoin: emit({ type: 'addVoter' }) } });

export const CANARIES: Canary[] = [
  {
    // The gate is what waits for a node that a fault took down to be Ready again; with it off, the next
    // control plane goes down for its upgrade while that one is still booting, and one more fault is
    // one too many. A fault is needed: with none the gate-off policy keeps quorum.
    bug: 'health gate off',
    property: 'quorum',
    policy: (p) => ({ ...p, healthGate: false }),
    message: /quorum violated/,
    caughtWithinRuns: 120,
    shrunkFaults: { min: 1, max: 4 },
  },
  {
    bug: 'revert disabled',
    property: 'rollback',
    hooks: { nodeMachine: neverReverts },
    message: /rollback violated/,
    caughtWithinRuns: 40,
    shrunkFaults: { min: 1, max: 1 },
  },
  {
    bug: 'learner step skipped',
    property: 'durability',
    hooks: { etcdServiceMachine: joinsAsVoter },
    message: /joined without the learner step/,
    caughtWithinRuns: 25,
    shrunkFaults: { min: 0, max: 2 },
  },
  {
    bug: 'old identity re-added after wipe',
    property: 'durability',
    policy: (p) => ({ ...p, etcdRejoin: 'in-place' }),
    message: /durability violated/,
    caughtWithinRuns: 30,
    // The losing pattern needs a wipe, its reboot and a leader change around it (F§4); shrinking is
    // bounded by time, so the bound is the schedule's budget.
    shrunkFaults: { min: 2, max: 5 },
  },
  {
    // With two in flight and no gate, two control planes are down at once with no fault at all.
    bug: 'two control planes at once',
    property: 'single-upgrader',
    policy: (p) => ({ ...p, healthGate: false, parallel: 2, force: true }),
    message: /single-upgrader violated/,
    caughtWithinRuns: 5,
    shrunkFaults: { min: 0, max: 0 },
  },
];

// Every invariant gets a canary: a deliberately broken policy or model that it must catch, and a correct
// run in which it must stay quiet (STYLE.md habit 8). A checker that cannot fail is a defect.
import { describe, expect, it } from 'vitest';
import { enqueueActions } from 'xstate';
import { nodeMachine } from '../../../models/node.js';
import { simulate, type SimulateResult } from '../../../sim/simulate.js';
import { baseYaml, scenario } from '../../helpers/scenario.js';

function violated(r: SimulateResult, name: string): boolean {
  return r.violations.some((v) => v.invariant === name);
}

/** A broken installer: it writes the image into the slot the node is running from. */
const writesActiveSlot = nodeMachine.provide({
  actions: {
    beginInstall: enqueueActions(({ context, enqueue }) => {
      const slot = context.bootedSlot!;
      enqueue.assign({ writing: slot, delayMs: context.timing.install.maxMs });
      enqueue.emit({ type: 'slot.write', slot, version: context.upgrade!.version, phase: 'start' });
    }),
  },
});

/** A broken boot sequence: a fatal error never reverts to the previous slot. */
const neverReverts = nodeMachine.provide({
  actions: {
    onFailedBoot: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'state', state: 'bootFailed' });
      enqueue.emit({ type: 'boot.failed', stage: 'init', version: context.version ?? '', reverted: false });
      enqueue.emit({ type: 'etcd.stop', graceful: true });
    }),
  },
});

describe('invariant canaries', () => {
  const clean = simulate(scenario(baseYaml()));

  it('a clean talosctl-like rolling upgrade violates nothing', () => {
    expect(clean.violations).toEqual([]);
    expect(clean.metrics.nodesOnTarget).toBe(5);
  });

  // The naive policy sends every control-plane request at once; `force` skips the pre-checks and their
  // upgrade mutex (F§3), which would otherwise refuse all but one of them.
  const FORCED_NAIVE = '{ preset: naive, force: true }';

  it('quorum: the forced naive policy (all control planes at once) loses quorum', () => {
    const r = simulate(scenario(baseYaml({ policy: FORCED_NAIVE })));
    expect(violated(r, 'quorum')).toBe(true);
    expect(violated(clean, 'quorum')).toBe(false);
  });

  it('single-upgrader: the forced naive policy has several control planes mid-upgrade', () => {
    const r = simulate(scenario(baseYaml({ policy: FORCED_NAIVE })));
    const v = r.violations.find((x) => x.invariant === 'single-upgrader');
    expect(v?.nodes.length).toBeGreaterThan(1);
    expect(violated(clean, 'single-upgrader')).toBe(false);
  });

  it('bootable: an installer that overwrites the active slot, torn by a power loss, leaves no bootable slot', () => {
    // cp1 starts installing at about 5m34s and writes for 60 s; the power loss lands in the middle.
    const yaml = baseYaml() + 'faults:\n  - { at: 6m, type: powerLoss, node: cp1, duration: 1m }\n';
    const broken = simulate(scenario(yaml), { nodeMachine: writesActiveSlot });
    const v = broken.violations.find((x) => x.invariant === 'bootable');
    expect(v?.nodes).toEqual(['cp1']);
    const correct = simulate(scenario(yaml));
    expect(violated(correct, 'bootable')).toBe(false);
    // The correct installer's torn write hit the inactive slot.
    expect(correct.trace).toContain('"phase":"torn"');
  });

  it('rollback: a boot sequence that never reverts boot-loops on a bad image', () => {
    const yaml =
      baseYaml() +
      'faults:\n  - { type: failedBoot, node: cp1, version: v1.8.0, stage: init, times: always }\n';
    const broken = simulate(scenario(yaml), { nodeMachine: neverReverts });
    expect(broken.violations.find((x) => x.invariant === 'rollback')?.nodes).toEqual(['cp1']);
    const correct = simulate(scenario(yaml));
    expect(violated(correct, 'rollback')).toBe(false);
    expect(correct.final.versions.cp1).toBe('v1.7.6');
  });

  // The wipe is followed by a reboot (a reset): the etcd pre-start, where the rejoin policy acts, runs once
  // per boot (F§3); without the reboot both policies would restart the member with the same arguments.
  it('durability: restarting a wiped etcd member in place under its old identity loses acknowledged writes', () => {
    const yaml = (rejoin: string) => `name: durability-canary
cluster: { controlPlanes: 3, workers: 0, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 100m, policy: { preset: talosctl, etcdRejoin: ${rejoin} } }
faults:
  - { at: 2m, type: partition, isolate: cp3, duration: 9m }
  - { at: 5m, type: powerLoss, node: cp1, duration: 20m }
  - { at: 5m1s, type: diskWipe, node: cp2, label: EPHEMERAL }
  - { at: 5m2s, type: powerLoss, node: cp2, duration: 10s }
`;
    const broken = simulate(scenario(yaml('in-place')));
    expect(violated(broken, 'durability')).toBe(true);
    expect(broken.metrics.writesLost).toBeGreaterThan(0);
    const correct = simulate(scenario(yaml('learner')));
    expect(violated(correct, 'durability')).toBe(false);
    expect(correct.metrics.writesLost).toBe(0);
  });

  it('convergence: a policy that halts after a failed node leaves the cluster on mixed versions', () => {
    const yaml =
      baseYaml() +
      'faults:\n  - { type: failedBoot, node: cp2, version: v1.8.0, stage: init, times: always }\n';
    const r = simulate(scenario(yaml));
    const v = r.violations.find((x) => x.invariant === 'convergence');
    expect(v?.liveness).toBe(true);
    expect(v?.message).toMatch(/versions: cp1=v1\.8\.0 cp2=v1\.7\.6/);
    expect(violated(clean, 'convergence')).toBe(false);
  });

  it('version-skew: a policy that jumps two minor versions is caught', () => {
    const r = simulate(scenario(baseYaml({ to: 'v1.9.0' })));
    expect(r.violations.find((x) => x.invariant === 'version-skew')?.message).toMatch(
      /v1\.7\.6 .* v1\.9\.0|v1\.9\.0 .* v1\.7\.6/,
    );
    expect(violated(clean, 'version-skew')).toBe(false);
  });
});

// sim/invariants/index.ts: the rollback bound (tries x the longest boot path plus the 10 s revert reboot,
// F§2, plus 5 min) and the invariants built from a scenario, in its order, with the quorum check counting
// the scenario's control planes.
import { describe, expect, it } from 'vitest';
import { buildInvariants, rollbackBoundMs } from '../../../sim/invariants/index.js';
import { FakeWorld } from '../../helpers/fake-world.js';
import { scenario } from '../../helpers/scenario.js';

const yaml = (extra: string) => `name: bound
cluster: { controlPlanes: 5, workers: 1, version: v1.7.6 }
timing: { firmware: 1s..2s, kernel: 1s..3s, init: 1s..5s, ready: 1s..7s }
${extra}
`;

// Longest boot path: 2 + 3 + 5 + 7 s, plus the 10 s revert reboot (the panic reboot is immediate).
const PER_TRY_MS = 2_000 + 3_000 + 5_000 + 7_000 + 10_000;

describe('rollbackBoundMs', () => {
  it('two tries (the failed boot and the fallback) for every profile but boot-counting', () => {
    for (const b of ['talos', 'sd-boot', 'grub-tentative']) {
      expect(rollbackBoundMs(scenario(yaml(`bootloader: ${b}`)))).toBe(2 * PER_TRY_MS + 5 * 60_000);
    }
  });

  it('boot-counting: every counted try plus the fallback', () => {
    expect(rollbackBoundMs(scenario(yaml('bootloader: boot-counting\nbootTries: 5')))).toBe(
      6 * PER_TRY_MS + 5 * 60_000,
    );
  });
});

describe('buildInvariants', () => {
  it('builds the scenario invariants in its order', () => {
    const s = scenario(
      yaml(
        'invariants: [version-skew, durability, quorum, convergence, rollback, single-upgrader, bootable]',
      ),
    );
    expect(buildInvariants(s).map((i) => i.name)).toEqual([
      'version-skew',
      'durability',
      'quorum',
      'convergence',
      'rollback',
      'single-upgrader',
      'bootable',
    ]);
  });

  it('quorum counts the scenario control planes and honours quorumTolerateFaults', () => {
    const w = new FakeWorld(['cp1', 'cp2', 'cp3', 'cp4', 'cp5', 'w1'].map((name) => ({ name })));
    w.quorum = false;
    w.takenOut = new Set(['cp1', 'cp2', 'cp3', 'w1']);
    const tolerant = buildInvariants(scenario(yaml('invariants: [quorum]')))[0]!;
    expect(tolerant.check(w.env())).toBeNull();
    w.takenOut = new Set(['cp1', 'cp2', 'w1']);
    expect(tolerant.check(w.env())?.message).toContain('faults took out 2 control plane(s), tolerance 2');
    w.takenOut = new Set(['cp1', 'cp2', 'cp3']);
    const strict = buildInvariants(scenario(yaml('invariants: [quorum]\nquorumTolerateFaults: false')))[0]!;
    expect(strict.check(w.env())).not.toBeNull();
  });

  it('the rollback check built uses the scenario bound', () => {
    const s = scenario(yaml('invariants: [rollback]'));
    const inv = buildInvariants(s)[0]!;
    const w = new FakeWorld([{ name: 'cp1' }]);
    w.set('cp1', { state: 'bootFailed' });
    const e = w.env({ now: 0 });
    expect(inv.check(e)).toBeNull();
    expect(e.wakes).toEqual([rollbackBoundMs(s)]);
  });
});

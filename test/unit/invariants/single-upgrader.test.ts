// single-upgrader (sim/invariants/single-upgrader.ts): at most one control plane mid-upgrade (F§3: the etcd
// lock covers only the pre-checks). Incremental: it updates only the dirty nodes.
import { describe, expect, it } from 'vitest';
import { singleUpgraderInvariant } from '../../../sim/invariants/single-upgrader.js';
import { fiveNodes } from '../../helpers/fake-world.js';

describe('single-upgrader invariant', () => {
  it('one control plane and any number of workers mid-upgrade is fine', () => {
    const w = fiveNodes();
    w.set('cp2', { midUpgrade: true });
    w.set('w1', { midUpgrade: true });
    w.set('w2', { midUpgrade: true });
    const inv = singleUpgraderInvariant();
    expect(inv.check(w.env())).toBeNull();
    expect(inv.liveness).toBe(false);
  });

  it('two control planes: both named, in the world order, whatever order they were seen in', () => {
    const w = fiveNodes();
    const inv = singleUpgraderInvariant();
    w.set('cp3', { midUpgrade: true });
    expect(inv.check(w.env({ dirty: ['cp3'] }))).toBeNull();
    w.set('cp1', { midUpgrade: true });
    expect(inv.check(w.env({ dirty: ['cp1'] }))).toEqual({
      nodes: ['cp1', 'cp3'],
      message: '2 control planes mid-upgrade at once: cp1, cp3',
    });
    // cp3 finishes: clean again once it is looked at.
    w.set('cp3', { midUpgrade: false });
    expect(inv.check(w.env({ dirty: ['cp3'] }))).toBeNull();
  });

  it('looks only at the dirty nodes (others keep what was last seen), and at all of them when dirty is null', () => {
    const w = fiveNodes();
    const inv = singleUpgraderInvariant();
    w.set('cp1', { midUpgrade: true });
    w.set('cp2', { midUpgrade: true });
    expect(inv.check(w.env({ dirty: ['w1'] }))).toBeNull();
    expect(inv.check(w.env({ dirty: null }))?.nodes).toEqual(['cp1', 'cp2']);
  });
});

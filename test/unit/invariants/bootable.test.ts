// bootable (sim/invariants/bootable.ts): every node keeps a slot that can boot on a power cycle (F§2). The
// message shows the blamed node's two slots, which is what a user reads first.
import { describe, expect, it } from 'vitest';
import { bootableInvariant } from '../../../sim/invariants/bootable.js';
import { fiveNodes } from '../../helpers/fake-world.js';

describe('bootable invariant', () => {
  it('holds while every node is bootable', () => {
    const inv = bootableInvariant();
    expect(inv.check(fiveNodes().env())).toBeNull();
    expect(inv.liveness).toBe(false);
  });

  it('names the node and shows its slots: version, torn, empty', () => {
    const w = fiveNodes();
    w.set('cp2', {
      bootable: false,
      boot: { A: { version: 'v1.8.0', intact: false }, B: { version: 'v1.7.6', intact: true } },
    });
    expect(bootableInvariant().check(w.env())).toEqual({
      nodes: ['cp2'],
      message: 'cp2 has no slot that can boot (A=v1.8.0(torn) B=v1.7.6)',
    });
    w.set('cp2', { boot: { A: null, B: { version: 'v1.8.0', intact: true } } });
    expect(bootableInvariant().check(w.env())?.message).toBe(
      'cp2 has no slot that can boot (A=empty B=v1.8.0)',
    );
  });

  it('several nodes: in world order, the slots of the first', () => {
    const w = fiveNodes();
    const inv = bootableInvariant();
    w.set('w1', { bootable: false });
    expect(inv.check(w.env({ dirty: ['w1'] }))?.nodes).toEqual(['w1']);
    w.set('cp1', { bootable: false, boot: { A: null, B: null } });
    expect(inv.check(w.env({ dirty: ['cp1'] }))).toEqual({
      nodes: ['cp1', 'w1'],
      message: 'cp1, w1 has no slot that can boot (A=empty B=empty)',
    });
    // Both become bootable again; only the dirty one is looked at each time.
    w.set('cp1', { bootable: true });
    w.set('w1', { bootable: true });
    expect(inv.check(w.env({ dirty: ['cp1'] }))?.nodes).toEqual(['w1']);
    expect(inv.check(w.env({ dirty: ['w1'] }))).toBeNull();
  });
});

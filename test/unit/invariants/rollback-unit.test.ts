// rollback (sim/invariants/rollback.ts) on hand-set worlds: which states start a failed-boot episode (F§2:
// a panic, a hang, an initramfs error, machined's bootFailed), what ends it (Running), and the bound as a
// deadline that is scheduled and reached exactly.
import { describe, expect, it } from 'vitest';
import { rollbackInvariant } from '../../../sim/invariants/rollback.js';
import { fiveNodes } from '../../helpers/fake-world.js';

const BOUND = 1_000;

describe('rollback invariant (unit)', () => {
  it.each(['bootFailed', 'panicked', 'hung', 'initramfsFailed'])(
    '%s starts an episode: a check is scheduled at the deadline, which is reported at the bound exactly',
    (state) => {
      const w = fiveNodes();
      const inv = rollbackInvariant(BOUND);
      expect(inv.liveness).toBe(false);
      w.set('cp2', { state, version: 'v1.8.0' });
      const first = w.env({ now: 100, dirty: ['cp2'] });
      expect(inv.check(first)).toBeNull();
      expect(first.wakes).toEqual([1_100]);
      expect(inv.check(w.env({ now: 1_099, dirty: [] }))).toBeNull();
      expect(inv.check(w.env({ now: 1_100, dirty: [] }))).toEqual({
        nodes: ['cp2'],
        message: 'cp2 failed to boot v1.8.0 at 100 ms and is not running again 1000 ms later',
      });
    },
  );

  it('other states neither start nor end an episode; Running ends it', () => {
    const w = fiveNodes();
    const inv = rollbackInvariant(BOUND);
    w.set('cp1', { state: 'kernel' });
    const e = w.env({ now: 0, dirty: ['cp1'] });
    expect(inv.check(e)).toBeNull();
    expect(e.wakes).toEqual([]);
    expect(inv.check(w.env({ now: 5_000, dirty: [] }))).toBeNull();
    // A failure at 10 s, a reboot through firmware (not Running), still failed at the deadline.
    w.set('cp1', { state: 'panicked', version: null });
    inv.check(w.env({ now: 10_000, dirty: ['cp1'] }));
    w.set('cp1', { state: 'firmware' });
    expect(inv.check(w.env({ now: 10_500, dirty: ['cp1'] }))).toBeNull();
    expect(inv.check(w.env({ now: 11_000, dirty: [] }))?.message).toBe(
      'cp1 failed to boot ? at 10000 ms and is not running again 1000 ms later',
    );
    // Running again: the episode is over.
    w.set('cp1', { state: 'running' });
    expect(inv.check(w.env({ now: 11_001, dirty: ['cp1'] }))).toBeNull();
  });

  it('a second failure inside an episode does not move its start, nor schedule another check', () => {
    const w = fiveNodes();
    const inv = rollbackInvariant(BOUND);
    w.set('w1', { state: 'bootFailed', version: 'v1.8.0' });
    const a = w.env({ now: 0, dirty: ['w1'] });
    inv.check(a);
    w.set('w1', { state: 'hung' });
    const b = w.env({ now: 600, dirty: ['w1'] });
    inv.check(b);
    expect([...a.wakes, ...b.wakes]).toEqual([1_000]);
    expect(inv.check(w.env({ now: 1_000, dirty: [] }))?.message).toContain('at 0 ms');
  });
});

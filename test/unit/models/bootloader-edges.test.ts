// Edges of the bootloader model (models/bootloader.ts, F§2) that the first mutation run (issue 7) showed
// unpinned: which power-cycle fault a failed load spends (T#11909), a fallback image that also fails on a
// power cycle, Talos's software revert with META gone (F§1: META holds tag 6) or no booted slot, sd-boot's
// revert from the booted UKI, boot counting with META wiped, and the reasons the trace shows.
import { describe, expect, it } from 'vitest';
import { chooseSlot, installTarget, softwareRevert, type BootDecision } from '../../../models/bootloader.js';
import { emptyMeta, type BootFault, type Disk, type Meta } from '../../../models/types.js';

function disk(
  slots: { A?: string | null; B?: string | null },
  def: 'A' | 'B',
  fallback: 'A' | 'B' | null,
  meta: Partial<Meta> | null = {},
): Disk {
  const img = (v: string | null | undefined) => (v ? { version: v, intact: true } : null);
  return {
    boot: { A: img(slots.A), B: img(slots.B) },
    bootloader: { default: def, fallback },
    meta: meta === null ? null : { ...emptyMeta(), ...meta },
    state: { hostname: 'cp1' },
    ephemeral: { etcd: null, userData: false },
  };
}

const pc = (version: string, remaining: number | null): BootFault => ({
  version,
  stage: 'powercycle',
  remaining,
});
const pick = (d: BootDecision) => [d.slot, d.reason];

describe('a failed power-cycle load spends the right fault (T#11909)', () => {
  it("only the default image's own, unspent power-cycle fault is spent, and the caller's list is untouched", () => {
    const faults = Object.freeze([
      { version: 'v1.8.0', stage: 'init', remaining: 3 },
      pc('v1.7.6', 2),
      pc('v1.8.0', 0),
      pc('v1.8.0', 2),
    ] satisfies BootFault[]);
    const d = chooseSlot(disk({ A: 'v1.7.6', B: 'v1.8.0' }, 'B', 'A'), 'talos', 'powercycle', faults);
    // A's image fails a power cycle too: nothing loads, and only B's (the default's) fault is spent.
    expect(pick(d)).toEqual([null, 'no loadable slot']);
    expect(d.faults).toEqual([
      { version: 'v1.8.0', stage: 'init', remaining: 3 },
      pc('v1.7.6', 2),
      pc('v1.8.0', 0),
      pc('v1.8.0', 1),
    ]);
    expect(faults[3]).toEqual(pc('v1.8.0', 2));
  });

  it('an image that always fails to load keeps failing: its count is not spent', () => {
    const d = chooseSlot(disk({ A: 'v1.7.6', B: 'v1.8.0' }, 'B', 'A'), 'talos', 'powercycle', [
      pc('v1.8.0', null),
    ]);
    expect(d.slot).toBe('A');
    expect(d.faults).toEqual([pc('v1.8.0', null)]);
  });

  it('a default entry with no image spends nothing and GRUB falls back', () => {
    const d = chooseSlot(disk({ A: 'v1.7.6', B: null }, 'B', 'A'), 'talos', 'powercycle', [pc('v1.7.6', 1)]);
    expect(pick(d)).toEqual([null, 'no loadable slot']);
    const ok = chooseSlot(disk({ A: 'v1.7.6', B: null }, 'B', 'A'), 'talos', 'powercycle', [pc('v1.9.0', 1)]);
    expect(pick(ok)).toEqual(['A', 'default B unloadable: GRUB fallback to A']);
    expect(ok.faults).toEqual([pc('v1.9.0', 1)]);
  });

  it('GRUB falls back only to an image that itself loads on a power cycle', () => {
    const both = [pc('v1.8.0', null), pc('v1.7.6', null)];
    const d = chooseSlot(disk({ A: 'v1.7.6', B: 'v1.8.0' }, 'B', 'A'), 'talos', 'powercycle', both);
    expect(pick(d)).toEqual([null, 'no loadable slot']);
  });
});

describe('sd-boot (F§2: LoaderEntryDefault, no fallback entry)', () => {
  it('default entry present and loadable: that UKI', () => {
    expect(
      pick(chooseSlot(disk({ A: 'v1.9.0', B: 'v1.10.0' }, 'B', 'A'), 'sd-boot', 'powercycle', [])),
    ).toEqual(['B', 'LoaderEntryDefault']);
  });

  it('default entry missing: the remaining UKI, unless it too fails on a power cycle', () => {
    const d = disk({ A: 'v1.9.0', B: null }, 'B', 'A');
    expect(pick(chooseSlot(d, 'sd-boot', 'powercycle', []))).toEqual([
      'A',
      'LoaderEntryDefault B missing: booting UKI A',
    ]);
    const none = chooseSlot(d, 'sd-boot', 'powercycle', [pc('v1.9.0', 1)]);
    expect(pick(none)).toEqual([null, 'no loadable UKI']);
    expect(none.faults).toEqual([pc('v1.9.0', 0)]);
  });

  it('install on a node whose booted UKI is gone writes the other slot and removes nothing', () => {
    expect(installTarget('sd-boot', disk({ A: null, B: null }, 'A', null), 'A', 'v1.10.0')).toEqual({
      slot: 'B',
      removes: null,
    });
  });

  it('revert points LoaderEntryDefault at the UKI that is not the booted one, whatever the default says', () => {
    const d = disk({ A: 'v1.9.0', B: 'v1.10.0' }, 'B', 'A', { upgradeFallback: 'A' });
    expect(softwareRevert('sd-boot', d, 'A')).toEqual({ default: 'B', fallback: 'A' });
    expect(softwareRevert('sd-boot', d, 'B')).toEqual({ default: 'A', fallback: 'B' });
  });
});

describe("Talos's software revert (F§2: only with META tag 6)", () => {
  it('no META at all (wiped): nothing to revert to', () => {
    expect(softwareRevert('talos', disk({ A: 'v1.7.6', B: 'v1.8.0' }, 'B', 'A', null), 'B')).toBeNull();
    expect(softwareRevert('sd-boot', disk({ A: 'v1.7.6', B: 'v1.8.0' }, 'B', 'A', null), 'B')).toBeNull();
  });

  it("GRUB: default := the label in tag 6, even when nothing booted or the slot's image is gone", () => {
    expect(
      softwareRevert('talos', disk({ A: 'v1.7.6', B: 'v1.8.0' }, 'A', 'B', { upgradeFallback: 'A' }), null),
    ).toEqual({
      default: 'A',
      fallback: 'B',
    });
    expect(
      softwareRevert('talos', disk({ A: null, B: 'v1.8.0' }, 'B', 'A', { upgradeFallback: 'A' }), 'B'),
    ).toEqual({
      default: 'A',
      fallback: 'B',
    });
  });
});

describe('bootloader-side profiles', () => {
  it('grub-tentative: the armed flag is marked tried, with its reason', () => {
    const d = chooseSlot(
      disk({ A: 'v1.7.6', B: 'v1.8.0' }, 'B', 'A', { tentative: 'armed', upgradeFallback: 'A' }),
      'grub-tentative',
      'powercycle',
      [],
    );
    expect(pick(d)).toEqual(['B', 'tentative boot of new entry']);
    expect(d.disk.meta?.tentative).toBe('tried');
  });

  it('grub-tentative with the flag tried but no fallback entry stays on the default', () => {
    const d = chooseSlot(
      disk({ A: 'v1.7.6', B: 'v1.8.0' }, 'B', null, { tentative: 'tried' }),
      'grub-tentative',
      'powercycle',
      [],
    );
    expect(d.slot).toBe('B');
    expect(d.disk.bootloader).toEqual({ default: 'B', fallback: null });
    expect(d.disk.meta?.tentative).toBeNull();
  });

  it('boot-counting with META wiped counts nothing and boots the default', () => {
    const d = chooseSlot(
      disk({ A: 'v1.7.6', B: 'v1.8.0' }, 'B', 'A', null),
      'boot-counting',
      'powercycle',
      [],
    );
    expect(pick(d)).toEqual(['B', 'default entry']);
    expect(d.disk.meta).toBeNull();
  });
});

import { describe, it, expect } from 'vitest';
import { chooseSlot, hasBootableSlot, slotLoadable } from '../../../models/bootloader.js';
import type { BootFault, Disk, Meta, SlotImage, SlotLabel } from '../../../models/types.js';
import { emptyMeta } from '../../../models/types.js';

const v1: SlotImage = { version: 'v1', intact: true };
const v2: SlotImage = { version: 'v2', intact: true };
const torn = (version: string): SlotImage => ({ version, intact: false });

/** After an upgrade v1 -> v2: slot A holds v1, B holds v2, default B, fallback A, tag 6 = A. */
function disk(
  opts: {
    A?: SlotImage | null;
    B?: SlotImage | null;
    def?: SlotLabel;
    fallback?: SlotLabel | null;
    meta?: Partial<Meta> | null;
  } = {},
): Disk {
  return {
    boot: { A: opts.A === undefined ? v1 : opts.A, B: opts.B === undefined ? v2 : opts.B },
    bootloader: { default: opts.def ?? 'B', fallback: opts.fallback === undefined ? 'A' : opts.fallback },
    meta: opts.meta === null ? null : { ...emptyMeta(), upgradeFallback: 'A', ...opts.meta },
    state: { hostname: 'n1' },
    ephemeral: { etcd: null, userData: true },
  };
}

const NO_FAULTS: readonly BootFault[] = [];

describe('chooseSlot, talos profile', () => {
  it('F§2 talos: GRUB boots the default entry on a power cycle and writes nothing', () => {
    const d = disk();
    const r = chooseSlot(d, 'talos', 'powercycle', NO_FAULTS);
    expect(r.slot).toBe('B');
    expect(r.disk).toEqual(d);
    expect(r.reason).toBe('default entry');
  });

  it('F§2 talos: GRUB falls back only when it cannot load the default entry (torn default)', () => {
    const d = disk({ B: torn('v2') });
    const r = chooseSlot(d, 'talos', 'powercycle', NO_FAULTS);
    expect(r.slot).toBe('A');
    expect(r.reason).toMatch(/default B unloadable: GRUB fallback to A/);
    // GRUB's own fallback does not rewrite the configuration.
    expect(r.disk.bootloader).toEqual({ default: 'B', fallback: 'A' });
  });

  it('F§2 talos: a missing default image also falls back', () => {
    expect(chooseSlot(disk({ B: null }), 'talos', 'powercycle', NO_FAULTS).slot).toBe('A');
  });

  it('F§2 talos: without a configured fallback GRUB tries the other slot', () => {
    const r = chooseSlot(disk({ def: 'A', fallback: null, A: torn('v1') }), 'talos', 'powercycle', NO_FAULTS);
    expect(r.slot).toBe('B');
  });

  it('F§2 talos: no loadable slot => no slot', () => {
    const r = chooseSlot(disk({ A: torn('v1'), B: torn('v2') }), 'talos', 'powercycle', NO_FAULTS);
    expect(r.slot).toBeNull();
    expect(r.reason).toBe('no loadable slot');
  });

  it('F§2 talos: the bootloader ignores the tentative flag and counters (the revert is software, in node.ts)', () => {
    const d = disk({ meta: { tentative: 'tried', triesLeft: 0 } });
    const r = chooseSlot(d, 'talos', 'powercycle', NO_FAULTS);
    expect(r.slot).toBe('B');
    expect(r.disk).toEqual(d);
  });

  it("F§2 talos: 'kernel' and 'init' faults do not make an image unloadable (they fail later)", () => {
    const faults: BootFault[] = [
      { version: 'v2', stage: 'kernel', remaining: null },
      { version: 'v2', stage: 'init', remaining: null },
    ];
    expect(chooseSlot(disk(), 'talos', 'powercycle', faults).slot).toBe('B');
  });
});

describe('chooseSlot, grub-tentative profile', () => {
  it('F§2 grub-tentative: an armed flag boots the new entry and marks it tried', () => {
    const r = chooseSlot(disk({ meta: { tentative: 'armed' } }), 'grub-tentative', 'powercycle', NO_FAULTS);
    expect(r.slot).toBe('B');
    expect(r.disk.meta?.tentative).toBe('tried');
    expect(r.disk.bootloader).toEqual({ default: 'B', fallback: 'A' });
  });

  it('F§2 grub-tentative: reaching GRUB again with the flag set boots the fallback (one try)', () => {
    const first = chooseSlot(
      disk({ meta: { tentative: 'armed' } }),
      'grub-tentative',
      'powercycle',
      NO_FAULTS,
    );
    // Whatever happened in between (a kernel panic, a failed init, a hang and a reset) the next pass reverts.
    const second = chooseSlot(first.disk, 'grub-tentative', 'powercycle', NO_FAULTS);
    expect([first.slot, second.slot]).toEqual(['B', 'A']);
    expect(second.reason).toMatch(/tentative flag still set/);
    expect(second.disk.bootloader).toEqual({ default: 'A', fallback: 'B' });
    expect(second.disk.meta).toMatchObject({ tentative: null, upgradeFallback: null });
    // Reverted for good: the next pass stays on A.
    expect(chooseSlot(second.disk, 'grub-tentative', 'powercycle', NO_FAULTS).slot).toBe('A');
  });

  it('F§2 grub-tentative: without a flag it boots the default entry', () => {
    const d = disk({ meta: { tentative: null } });
    const r = chooseSlot(d, 'grub-tentative', 'powercycle', NO_FAULTS);
    expect(r.slot).toBe('B');
    expect(r.disk).toEqual(d);
  });

  it('F§2 grub-tentative: with META wiped it boots the default entry', () => {
    expect(chooseSlot(disk({ meta: null }), 'grub-tentative', 'powercycle', NO_FAULTS).slot).toBe('B');
  });
});

describe('chooseSlot, boot-counting profile', () => {
  it('F§2 boot-counting: N tries of the new entry, then the fallback', () => {
    let d = disk({ meta: { triesLeft: 3 } });
    const slots: (SlotLabel | null)[] = [];
    const counters: (number | null)[] = [];
    for (let pass = 0; pass < 5; pass++) {
      const r = chooseSlot(d, 'boot-counting', 'powercycle', NO_FAULTS);
      slots.push(r.slot);
      counters.push(r.disk.meta?.triesLeft ?? null);
      d = r.disk;
    }
    expect(slots).toEqual(['B', 'B', 'B', 'A', 'A']);
    expect(counters).toEqual([2, 1, 0, null, null]);
    expect(d.bootloader).toEqual({ default: 'A', fallback: 'B' });
    expect(d.meta?.upgradeFallback).toBeNull();
  });

  it('F§2 boot-counting: the reason reports the tries left', () => {
    const r = chooseSlot(disk({ meta: { triesLeft: 2 } }), 'boot-counting', 'powercycle', NO_FAULTS);
    expect(r.reason).toBe('boot counting: 1 tries left after this one');
    const exhausted = chooseSlot(disk({ meta: { triesLeft: 0 } }), 'boot-counting', 'powercycle', NO_FAULTS);
    expect(exhausted.reason).toBe('boot counting exhausted: booting fallback');
  });

  it('F§2 boot-counting: no counter => default entry, nothing written', () => {
    const d = disk({ meta: { triesLeft: null } });
    const r = chooseSlot(d, 'boot-counting', 'powercycle', NO_FAULTS);
    expect(r.slot).toBe('B');
    expect(r.disk).toEqual(d);
  });
});

describe('chooseSlot, kexec reboots', () => {
  it.each(['talos', 'grub-tentative', 'boot-counting'] as const)(
    'F§2 reboot modes (%s): kexec skips the bootloader: default slot, no flag or counter change',
    (profile) => {
      const d = disk({ meta: { tentative: 'tried', triesLeft: 0 } });
      const r = chooseSlot(d, profile, 'kexec', NO_FAULTS);
      expect(r.slot).toBe('B');
      expect(r.disk).toBe(d);
      expect(r.reason).toBe('kexec into default');
    },
  );

  it('F§2 reboot modes: kexec has no GRUB fallback: a torn default cannot be kexec-ed', () => {
    const r = chooseSlot(disk({ B: torn('v2') }), 'talos', 'kexec', NO_FAULTS);
    expect(r.slot).toBeNull();
    expect(r.reason).toBe('kexec image unloadable');
  });
});

describe("'powercycle' boot faults (T#11909)", () => {
  const pcFault: BootFault[] = [{ version: 'v2', stage: 'powercycle', remaining: null }];

  it('T#11909: the image loads by kexec but not through firmware + bootloader', () => {
    const d = disk();
    expect(chooseSlot(d, 'talos', 'kexec', pcFault).slot).toBe('B');
    const r = chooseSlot(d, 'talos', 'powercycle', pcFault);
    expect(r.slot).toBe('A');
    expect(r.reason).toMatch(/GRUB fallback to A/);
  });

  it('T#11909: slotLoadable per reboot mode; a spent fault (remaining 0) no longer blocks', () => {
    const d = disk();
    expect(slotLoadable(d, 'B', 'kexec', pcFault)).toBe(true);
    expect(slotLoadable(d, 'B', 'powercycle', pcFault)).toBe(false);
    expect(slotLoadable(d, 'A', 'powercycle', pcFault)).toBe(true);
    expect(slotLoadable(d, 'B', 'powercycle', [{ version: 'v2', stage: 'powercycle', remaining: 0 }])).toBe(
      true,
    );
    expect(slotLoadable(d, 'B', 'powercycle', [{ version: 'v2', stage: 'powercycle', remaining: 2 }])).toBe(
      false,
    );
  });

  it('slotLoadable: torn or missing images never load, by any path', () => {
    const d = disk({ A: null, B: torn('v2') });
    for (const mode of ['kexec', 'powercycle'] as const) {
      expect(slotLoadable(d, 'A', mode, NO_FAULTS)).toBe(false);
      expect(slotLoadable(d, 'B', mode, NO_FAULTS)).toBe(false);
    }
  });
});

describe('hasBootableSlot (the `bootable` invariant)', () => {
  it('true while at least one slot loads on a power cycle', () => {
    expect(hasBootableSlot(disk(), NO_FAULTS)).toBe(true);
    expect(hasBootableSlot(disk({ B: torn('v2') }), NO_FAULTS)).toBe(true);
    expect(hasBootableSlot(disk({ A: null }), NO_FAULTS)).toBe(true);
  });

  it('false when both slots are torn or missing', () => {
    expect(hasBootableSlot(disk({ A: torn('v1'), B: torn('v2') }), NO_FAULTS)).toBe(false);
    expect(hasBootableSlot(disk({ A: null, B: null }), NO_FAULTS)).toBe(false);
  });

  it('T#11909: a slot only kexec can load does not count as bootable', () => {
    const faults: BootFault[] = [{ version: 'v2', stage: 'powercycle', remaining: null }];
    expect(hasBootableSlot(disk({ A: torn('v1') }), faults)).toBe(false);
    expect(hasBootableSlot(disk(), faults)).toBe(true);
    // A fault on another version is irrelevant.
    expect(
      hasBootableSlot(disk({ A: torn('v1') }), [{ version: 'v9', stage: 'powercycle', remaining: null }]),
    ).toBe(true);
  });
});

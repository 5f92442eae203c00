import { describe, it, expect } from 'vitest';
import {
  afterInstall,
  chooseSlot,
  hasBootableSlot,
  installTarget,
  slotBoots,
  slotLoadable,
  softwareRevert,
} from '../../../models/bootloader.js';
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

describe('chooseSlot, sd-boot profile (F§2)', () => {
  it('F§2 sd-boot: boots LoaderEntryDefault and writes nothing (no boot counting)', () => {
    const d = disk({ meta: { triesLeft: 0, tentative: 'tried' } });
    const r = chooseSlot(d, 'sd-boot', 'powercycle', NO_FAULTS);
    expect(r.slot).toBe('B');
    expect(r.disk).toEqual(d);
  });

  it('F§2 sd-boot: a default UKI that cannot be loaded has no fallback entry: nothing boots', () => {
    const torn_ = chooseSlot(disk({ B: torn('v2') }), 'sd-boot', 'powercycle', NO_FAULTS);
    expect(torn_.slot).toBeNull();
    expect(torn_.reason).toMatch(/no fallback entry/);
    // GRUB on the same disk falls back to A.
    expect(chooseSlot(disk({ B: torn('v2') }), 'talos', 'powercycle', NO_FAULTS).slot).toBe('A');
    const pc: BootFault[] = [{ version: 'v2', stage: 'powercycle', remaining: 1 }];
    const r = chooseSlot(disk(), 'sd-boot', 'powercycle', pc);
    expect(r.slot).toBeNull();
    expect(r.faults).toEqual([{ version: 'v2', stage: 'powercycle', remaining: 0 }]);
  });

  it('F§2 sd-boot: a LoaderEntryDefault naming a missing UKI is no entry: the remaining UKI boots', () => {
    const r = chooseSlot(disk({ B: null }), 'sd-boot', 'powercycle', NO_FAULTS);
    expect(r.slot).toBe('A');
    expect(chooseSlot(disk({ A: null, B: null }), 'sd-boot', 'powercycle', NO_FAULTS).slot).toBeNull();
  });

  it('F§2 sd-boot: install target: the other slot for a new version, the booted one for the same version', () => {
    const d = disk({ def: 'A', fallback: 'B', A: v1, B: v2 });
    expect(installTarget('sd-boot', d, 'A', 'v3')).toEqual({ slot: 'B', removes: 'B' });
    expect(installTarget('sd-boot', d, 'A', 'v1')).toEqual({ slot: 'A', removes: 'B' });
    expect(installTarget('sd-boot', disk({ B: null }), 'A', 'v1')).toEqual({ slot: 'A', removes: null });
    // GRUB always writes the inactive slot and removes nothing first.
    expect(installTarget('talos', d, 'A', 'v1')).toEqual({ slot: 'B', removes: null });
  });

  it('F§2: after an install the booted entry is the fallback and tag 6, unless it was overwritten', () => {
    expect(afterInstall('B', 'A')).toEqual({
      bootloader: { default: 'B', fallback: 'A' },
      upgradeFallback: 'A',
    });
    expect(afterInstall('A', 'A')).toEqual({
      bootloader: { default: 'A', fallback: null },
      upgradeFallback: null,
    });
  });

  it('F§2: the software revert: GRUB to the label in tag 6, sd-boot to the UKI that is not the booted one', () => {
    expect(softwareRevert('talos', disk(), 'B')).toEqual({ default: 'A', fallback: 'B' });
    expect(softwareRevert('sd-boot', disk(), 'B')).toEqual({ default: 'A', fallback: 'B' });
    // No tag 6: nothing to revert.
    expect(softwareRevert('talos', disk({ meta: { upgradeFallback: null } }), 'B')).toBeNull();
    // sd-boot: "previous UKI not found".
    expect(softwareRevert('sd-boot', disk({ A: null }), 'B')).toBeNull();
  });
});

describe('slotBoots: one slot that both loads and boots (F§2, issue 6 item 12)', () => {
  it('an image that always fails after it loaded does not count, whatever the stage', () => {
    for (const stage of ['kernel', 'hang', 'initramfs', 'init'] as const) {
      const faults: BootFault[] = [{ version: 'v2', stage, remaining: null }];
      expect(slotBoots(disk(), 'B', faults), stage).toBe(false);
      expect(slotBoots(disk(), 'A', faults), stage).toBe(true);
      // A fault that wears off still lets the image boot.
      expect(slotBoots(disk(), 'B', [{ version: 'v2', stage, remaining: 3 }]), stage).toBe(true);
    }
  });

  it('the loading slot and the booting slot must be the same one', () => {
    // A loads but always panics; B does not panic but cannot be loaded through firmware.
    const faults: BootFault[] = [
      { version: 'v1', stage: 'kernel', remaining: null },
      { version: 'v2', stage: 'powercycle', remaining: null },
    ];
    expect(slotLoadable(disk(), 'A', 'powercycle', faults)).toBe(true);
    expect(hasBootableSlot(disk(), faults)).toBe(false);
  });
});

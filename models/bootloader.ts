// Which slot a node boots, per bootloader profile (F§2). Pure functions over the disk.
//
// - `talos`: GRUB boots the default entry; it falls back only when it cannot load the default entry at all.
//   The upgrade's one try is enforced later by software (META tag 6, see node.ts), which a kernel panic
//   before init never reaches.
// - `grub-tentative` (Kairos/Elemental): an upgrade arms a tentative flag; GRUB marks it "tried" when it
//   boots the new entry, and reaching GRUB again with the flag still set boots the fallback (one try,
//   enforced by the bootloader, so it also covers panics).
// - `boot-counting` (systemd boot assessment): the new entry has N tries; each pass through the bootloader
//   spends one; at zero the bootloader boots the fallback.
// A kexec reboot skips firmware and bootloader entirely: it loads the default slot's kernel directly, so
// no tentative flag or counter is touched and no GRUB fallback happens (F§2, reboot modes).
import type { BootFault, BootloaderProfile, Disk, Meta, RebootMode, SlotLabel } from './types.js';
import { otherSlot } from './types.js';

export interface BootDecision {
  slot: SlotLabel | null;
  /** The disk after the bootloader's own writes (tentative flag, counters, reverted default). */
  disk: Disk;
  reason: string;
  /** The boot faults after this pass: a failed load of a 'powercycle' image spends one of its times. */
  faults: readonly BootFault[];
}

/** Spend one 'powercycle' failure of the image in `slot`, if it has one that is not yet used up. */
function spendPowercycleFault(
  disk: Disk,
  slot: SlotLabel,
  faults: readonly BootFault[],
): readonly BootFault[] {
  const image = disk.boot[slot];
  if (!image) return faults;
  const i = faults.findIndex(
    (f) => f.stage === 'powercycle' && f.version === image.version && f.remaining !== 0,
  );
  const f = faults[i];
  if (f === undefined || f.remaining === null) return faults;
  const copy = faults.slice();
  copy[i] = { ...f, remaining: f.remaining - 1 };
  return copy;
}

/** Can this slot's image be loaded by the given path? A torn or missing image never can; an image with a
 *  'powercycle' boot fault loads by kexec but not through firmware + bootloader (T#11909). */
export function slotLoadable(
  disk: Disk,
  slot: SlotLabel,
  mode: RebootMode,
  faults: readonly BootFault[],
): boolean {
  const image = disk.boot[slot];
  if (!image || !image.intact) return false;
  if (mode === 'powercycle') {
    for (const f of faults) {
      if (f.stage === 'powercycle' && f.version === image.version && f.remaining !== 0) return false;
    }
  }
  return true;
}

/** True when at least one slot could boot on a power cycle (the `bootable` invariant). */
export function hasBootableSlot(disk: Disk, faults: readonly BootFault[]): boolean {
  return slotLoadable(disk, 'A', 'powercycle', faults) || slotLoadable(disk, 'B', 'powercycle', faults);
}

function withMeta(disk: Disk, patch: Partial<Meta>): Disk {
  if (!disk.meta) return disk;
  return { ...disk, meta: { ...disk.meta, ...patch } };
}

function revertDefault(disk: Disk): Disk {
  const fallback = disk.bootloader.fallback;
  if (!fallback) return disk;
  return { ...disk, bootloader: { default: fallback, fallback: disk.bootloader.default } };
}

export function chooseSlot(
  disk: Disk,
  profile: BootloaderProfile,
  mode: RebootMode,
  faults: readonly BootFault[],
): BootDecision {
  const def = disk.bootloader.default;
  const fb = disk.bootloader.fallback;

  if (mode === 'kexec') {
    if (slotLoadable(disk, def, 'kexec', faults))
      return { slot: def, disk, reason: 'kexec into default', faults };
    return { slot: null, disk, reason: 'kexec image unloadable', faults };
  }

  let d = disk;
  let reason = 'default entry';
  if (profile === 'grub-tentative' && d.meta?.tentative === 'tried') {
    d = withMeta(revertDefault(d), { tentative: null, upgradeFallback: null });
    reason = 'tentative flag still set: booting fallback (upgrade_failure)';
  } else if (profile === 'grub-tentative' && d.meta?.tentative === 'armed') {
    d = withMeta(d, { tentative: 'tried' });
    reason = 'tentative boot of new entry';
  } else if (profile === 'boot-counting' && d.meta?.triesLeft != null) {
    if (d.meta.triesLeft > 0) {
      d = withMeta(d, { triesLeft: d.meta.triesLeft - 1 });
      reason = `boot counting: ${d.meta!.triesLeft} tries left after this one`;
    } else {
      d = withMeta(revertDefault(d), { triesLeft: null, upgradeFallback: null });
      reason = 'boot counting exhausted: booting fallback';
    }
  }

  const target = d.bootloader.default;
  if (slotLoadable(d, target, 'powercycle', faults)) return { slot: target, disk: d, reason, faults };
  // The default entry cannot be loaded; an image that fails only on power cycle spends one failure here.
  const spent = spendPowercycleFault(d, target, faults);
  // GRUB's own fallback: used only when it cannot load the default entry (F§2).
  const alt = d.bootloader.fallback ?? (target === def ? fb : def) ?? otherSlot(target);
  if (alt !== target && slotLoadable(d, alt, 'powercycle', spent)) {
    return {
      slot: alt,
      disk: d,
      reason: `default ${target} unloadable: GRUB fallback to ${alt}`,
      faults: spent,
    };
  }
  return { slot: null, disk: d, reason: 'no loadable slot', faults: spent };
}

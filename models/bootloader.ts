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
// - `sd-boot` (Talos UKIs with systemd-boot, the UEFI default since 1.10): the two slots stand for the (at
//   most two) `Talos-<version>.efi` files in the EFI partition, `default` for the EFI variable
//   LoaderEntryDefault. systemd-boot boots that entry and counts nothing, so a UKI that panics or hangs
//   before init is booted again and again (F§2). A default entry whose file is missing is not an entry, so
//   systemd-boot picks the remaining UKI; a default UKI that is present but cannot be loaded (torn, or the
//   firmware cannot start it) has no automatic fallback: systemd-boot has no fallback entry, and the
//   machine stops at the boot menu until someone picks an entry. FACTS §2 names no fallback for sd-boot,
//   so the model gives it none.
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

/** Stages at which an image fails after it was loaded (everything but 'powercycle'). */
const AFTER_LOAD_STAGES: readonly BootFault['stage'][] = ['kernel', 'hang', 'initramfs', 'init'];

/**
 * Does this slot both load on a power cycle and boot? An image that fails every boot (a fault with
 * `remaining` null at a stage after the load) never boots, however well it loads; a fault with a finite
 * count wears off, so that image still counts (F§2; the `bootable` invariant, issue 6 item 12).
 */
export function slotBoots(disk: Disk, slot: SlotLabel, faults: readonly BootFault[]): boolean {
  if (!slotLoadable(disk, slot, 'powercycle', faults)) return false;
  const version = disk.boot[slot]!.version;
  return !faults.some(
    (f) => f.version === version && f.remaining === null && AFTER_LOAD_STAGES.includes(f.stage),
  );
}

/** True when one slot both loads on a power cycle and boots (the `bootable` invariant). */
export function hasBootableSlot(disk: Disk, faults: readonly BootFault[]): boolean {
  return slotBoots(disk, 'A', faults) || slotBoots(disk, 'B', faults);
}

/**
 * Where an install writes the new image, and what it removes first (F§2). GRUB (and the non-Talos
 * profiles) write the inactive slot. sd-boot removes every UKI except the booted one and copies the new UKI
 * under its version's name: for a different version that is the other slot (whose old UKI is removed
 * before the copy); for the same version the copy overwrites the booted UKI itself and the other one is
 * still removed, so only one UKI is left.
 */
export function installTarget(
  profile: BootloaderProfile,
  disk: Disk,
  booted: SlotLabel,
  version: string,
): { slot: SlotLabel; removes: SlotLabel | null } {
  const other = otherSlot(booted);
  if (profile !== 'sd-boot') return { slot: other, removes: null };
  const removes = disk.boot[other] ? other : null;
  return { slot: disk.boot[booted]?.version === version ? booted : other, removes };
}

/**
 * The bootloader after a successful install of `slot` from the `booted` slot, and the label for META tag 6
 * (null: none is written). GRUB: default := new, fallback := booted. sd-boot: LoaderEntryDefault := the new
 * UKI; the booted entry becomes the fallback unless it has the same version (then it was overwritten and
 * there is nothing to go back to) (F§2).
 */
export function afterInstall(
  slot: SlotLabel,
  booted: SlotLabel,
): { bootloader: Disk['bootloader']; upgradeFallback: SlotLabel | null } {
  if (slot === booted) return { bootloader: { default: slot, fallback: null }, upgradeFallback: null };
  return { bootloader: { default: slot, fallback: booted }, upgradeFallback: booted };
}

/**
 * Talos's software revert after a failed boot with META tag 6 (F§2), or null when there is nothing to
 * revert to. GRUB: default := the label in tag 6. sd-boot: LoaderEntryDefault := the UKI that is not the
 * booted one ("previous UKI not found" when there is none).
 */
export function softwareRevert(
  profile: BootloaderProfile,
  disk: Disk,
  booted: SlotLabel | null,
): Disk['bootloader'] | null {
  const tag = disk.meta?.upgradeFallback ?? null;
  if (tag === null) return null;
  if (profile === 'sd-boot') {
    const from = booted ?? disk.bootloader.default;
    const other = otherSlot(from);
    return disk.boot[other] ? { default: other, fallback: from } : null;
  }
  return { default: tag, fallback: otherSlot(tag) };
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
  if (profile === 'sd-boot') return chooseUki(d, faults);
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

/** systemd-boot on a pass through firmware: LoaderEntryDefault, no counting, no fallback entry (F§2). */
function chooseUki(d: Disk, faults: readonly BootFault[]): BootDecision {
  const target = d.bootloader.default;
  if (d.boot[target] === null) {
    // The default names no file: it is not an entry, so systemd-boot boots the UKI that is there.
    const other = otherSlot(target);
    if (slotLoadable(d, other, 'powercycle', faults))
      return {
        slot: other,
        disk: d,
        reason: `LoaderEntryDefault ${target} missing: booting UKI ${other}`,
        faults,
      };
    return { slot: null, disk: d, reason: 'no loadable UKI', faults: spendPowercycleFault(d, other, faults) };
  }
  if (slotLoadable(d, target, 'powercycle', faults))
    return { slot: target, disk: d, reason: 'LoaderEntryDefault', faults };
  return {
    slot: null,
    disk: d,
    reason: `UKI ${target} cannot be loaded: systemd-boot has no fallback entry, waits at the menu`,
    faults: spendPowercycleFault(d, target, faults),
  };
}

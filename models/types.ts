// Domain types shared by the models. Pure data: no behaviour lives here.
// Facts cited as F§n refer to ../shared/FACTS.md section n.

export type SlotLabel = 'A' | 'B';
export type Role = 'controlplane' | 'worker';
export const ROLES: readonly Role[] = ['controlplane', 'worker'];

/** What a disk wipe can target: one partition label, or the whole system disk (F§1). */
export type WipeLabel = 'EPHEMERAL' | 'STATE' | 'META' | 'BOOT' | 'all';
export const WIPE_LABELS: readonly WipeLabel[] = ['EPHEMERAL', 'STATE', 'META', 'BOOT', 'all'];

/** Talos version profiles (DESIGN.md, F§3). */
export type TalosProfile = 'talos-1.7' | 'talos-1.8' | 'talos-1.13';
export const TALOS_PROFILES: readonly TalosProfile[] = ['talos-1.7', 'talos-1.8', 'talos-1.13'];

/** Bootloader profiles (F§2). `talos` is Talos with GRUB; `sd-boot` is Talos with systemd-boot and UKIs. */
export type BootloaderProfile = 'talos' | 'sd-boot' | 'grub-tentative' | 'boot-counting';
export const BOOTLOADER_PROFILES: readonly BootloaderProfile[] = [
  'talos',
  'sd-boot',
  'grub-tentative',
  'boot-counting',
];

/** The profiles whose revert is done by Talos's machined (META tag 6), not by the bootloader (F§2). */
export function revertsInSoftware(profile: BootloaderProfile): boolean {
  return profile === 'talos' || profile === 'sd-boot';
}

export type RebootMode = 'kexec' | 'powercycle';

/** A kernel+initramfs written into one BOOT slot. `intact` is false after a torn write (F§1, DESIGN.md). */
export interface SlotImage {
  version: string;
  intact: boolean;
}

/** META partition contents that matter (F§1). */
export interface Meta {
  /** Tag 6, "upgrade fallback": the label of the previous slot while the new one is unproven. */
  upgradeFallback: SlotLabel | null;
  /** Tags 7/8: a staged upgrade image and its options. */
  staged: { version: string; preserve: boolean } | null;
  /** grub-tentative profile: the tentative-boot flag (armed by an upgrade, "tried" once GRUB booted it). */
  tentative: 'armed' | 'tried' | null;
  /** boot-counting profile: boots left for the new entry before the bootloader falls back. */
  triesLeft: number | null;
}

/** The etcd data directory on EPHEMERAL (/var/lib/etcd): the member identity it was created for. */
export interface EtcdDataDir {
  memberId: string;
}

export interface Disk {
  boot: { A: SlotImage | null; B: SlotImage | null };
  bootloader: { default: SlotLabel; fallback: SlotLabel | null };
  /** null after a wipe of META. */
  meta: Meta | null;
  /** STATE: machine config and identity; null after a wipe (the node then boots into maintenance). */
  state: { hostname: string } | null;
  /** EPHEMERAL (/var): `etcd` is null when the etcd data dir is empty or the partition was wiped. */
  ephemeral: { etcd: EtcdDataDir | null; userData: boolean };
}

export function emptyMeta(): Meta {
  return { upgradeFallback: null, staged: null, tentative: null, triesLeft: null };
}

export function otherSlot(label: SlotLabel): SlotLabel {
  return label === 'A' ? 'B' : 'A';
}

/**
 * Where a failed image fails (DESIGN.md faults: failedBoot). The one list of stages: the type is derived
 * from it, and the scenario schema's enum (sim/faults/failed-boot.ts) reads it.
 */
export const BOOT_FAIL_STAGES = ['kernel', 'hang', 'initramfs', 'init', 'powercycle'] as const;
export type BootFailStage = (typeof BOOT_FAIL_STAGES)[number];

/**
 * A bad image: booting `version` fails at `stage` for the next `remaining` boots (null = always) (F§2).
 * 'kernel' is a panic before init starts (CONFIG_PANIC_TIMEOUT=-1: the machine reboots through firmware at
 * once); 'hang' is a kernel or initramfs that never reaches init (nothing reboots it until it is power
 * cycled); 'initramfs' is an error of the initramfs `init` (it reboots through firmware after 10 s, with no
 * revert); 'init' is a fatal error of machined's boot sequence (revert if META tag 6, reboot after 10 s);
 * 'powercycle' means the firmware/bootloader cannot load the image on a real power cycle while kexec still
 * works (T#11909).
 */
export interface BootFault {
  version: string;
  stage: BootFailStage;
  remaining: number | null;
}

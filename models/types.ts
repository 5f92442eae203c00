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

/** Bootloader profiles (F§2). */
export type BootloaderProfile = 'talos' | 'grub-tentative' | 'boot-counting';
export const BOOTLOADER_PROFILES: readonly BootloaderProfile[] = ['talos', 'grub-tentative', 'boot-counting'];

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

/** Where a failed image fails (DESIGN.md faults: failedBoot). */
export type BootFailStage = 'kernel' | 'init' | 'powercycle';

/**
 * A bad image: booting `version` fails at `stage` for the next `remaining` boots (null = always).
 * 'kernel' is a panic before init starts; 'init' is a fatal error of the boot sequence; 'powercycle' means
 * the firmware/bootloader cannot load the image on a real power cycle while kexec still works (T#11909).
 */
export interface BootFault {
  version: string;
  stage: BootFailStage;
  remaining: number | null;
}

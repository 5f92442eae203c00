// One node: power, boot through A/B slots, the boot sequence, Ready, and the per-node upgrade sequence of
// the Talos version profiles (F§1-§3). The machine never performs I/O: everything that touches another
// node or etcd is *emitted* as a request, and the engine answers with events (DESIGN.md, Models).
// Stage delays come from a pure PRNG held in the context (models/prng.ts), so `after` transitions fire on
// the engine's virtual clock with seed-determined lengths.
import { and, assign, emit, enqueueActions, setup, stateIn } from 'xstate';
import { afterInstall, chooseSlot, installTarget, slotLoadable, softwareRevert } from './bootloader.js';
import { ETCD_LEAVE_TIMING, leaveErrorRetryable } from './etcd-leave.js';
import { prngRange } from './prng.js';
import { installerWipes, sequenceRules } from './talos-version.js';
import type {
  BootFault,
  BootloaderProfile,
  Disk,
  RebootMode,
  Role,
  SlotLabel,
  TalosProfile,
} from './types.js';
import { emptyMeta, otherSlot, revertsInSoftware } from './types.js';

export interface Range {
  minMs: number;
  maxMs: number;
}

export interface NodeTiming {
  firmware: Range;
  kernel: Range;
  init: Range;
  ready: Range;
  cordon: Range;
  drain: Range;
  install: Range;
}

/** Evictions that do not finish are given up silently after this (F§3): a drain never takes longer. */
export const DRAIN_EVICTION_BUDGET_MS = 5 * 60_000;

/** Fixed delays taken from Talos (F§2, F§3). */
export const TALOS_TIMEOUTS = {
  /** The boot sequence fails if services are not up in 70 min. */
  bootTimeoutMs: 70 * 60_000,
  /**
   * After a failed boot or a failed upgrade sequence (reverted or not) machined waits 10 s and reboots
   * through firmware (LINUX_REBOOT_CMD_RESTART, not kexec) (F§2).
   */
  revertRebootMs: 10_000,
  /** The Talos kernel has CONFIG_PANIC_TIMEOUT=-1 and no `panic=` argument: a panic reboots at once (F§2). */
  panicRebootMs: 0,
  /** An error of the initramfs `init` reboots through firmware after 10 s, with no revert (F§2). */
  initramfsRebootMs: 10_000,
  /** Leaving etcd is retried (ErrUnhealthy, ErrStopped only) every 10 s for 5 min (F§3). */
  etcdLeaveBudgetMs: ETCD_LEAVE_TIMING.budgetMs,
  etcdLeaveRetryMs: ETCD_LEAVE_TIMING.retryEveryMs,
} as const;

export interface UpgradeRequest {
  requestId: number;
  version: string;
  preserve: boolean;
  stage: boolean;
  force: boolean;
  rebootMode: RebootMode;
}

/**
 * Behaviours of older Talos releases, kept so regression scenarios can reproduce the field reports:
 * - flipBeforeWrite: the bootloader default is switched to the new slot before its image is written, so an
 *   installer that fails leaves the default on the stale image from the upgrade before (T#10364).
 */
export interface NodeQuirks {
  flipBeforeWrite: boolean;
}

// Defined once in types.ts (with the list of labels); re-exported for the model's users.
import type { WipeLabel } from './types.js';
export type { WipeLabel };

export interface NodeContext {
  name: string;
  role: Role;
  /** The scenario's explicit rule-set override; null = the running version decides (F§3). */
  profile: TalosProfile | null;
  bootloader: BootloaderProfile;
  bootTries: number;
  timing: NodeTiming;
  rng: number;
  delayMs: number;
  disk: Disk;
  bootFaults: BootFault[];
  /** How the current boot started. */
  bootMode: RebootMode;
  bootedSlot: SlotLabel | null;
  version: string | null;
  ready: boolean;
  cordoned: boolean;
  upgrade: UpgradeRequest | null;
  /** The slot an installer is writing right now (a power loss tears it). */
  writing: SlotLabel | null;
  /** bootPartitionFull fault: installer writes fail (T#12551). */
  bootFull: boolean;
  /**
   * installFails fault: the installer the upgrade *sequence* runs fails before it writes anything (T#10364:
   * the request had been accepted, then the installer timed out). Not the API handler's own image pull.
   */
  installFailure: string | null;
  /**
   * imagePullFails fault: the Upgrade handler cannot pull the installer image. The pull happens inside the
   * API call, before the lock and the sequence, so the request is refused and nothing else happens (F§3).
   */
  imagePullFailure: string | null;
  /** busyMounts fault: unmounting /var fails, which aborts a 1.7/1.8 upgrade (T#9307, T#8800). */
  busyMounts: boolean;
  /** Pre-fix Talos behaviours a regression scenario can switch on (see NodeQuirks). */
  quirks: NodeQuirks;
  /** Set when this boot will fail its boot sequence (a consumed 'init' fault). */
  initWillFail: boolean;
  resetLabels: WipeLabel[];
  resetGraceful: boolean;
  /**
   * Why the current boot failed: 'init' (fatal boot-sequence error), 'timeout' (services not up in 70 min)
   * or 'sequence' (a failed upgrade sequence, handled like a failed boot, F§2).
   */
  failReason: 'init' | 'timeout' | 'sequence' | null;
}

export type NodeEvent =
  | { type: 'POWER_ON' }
  | { type: 'POWER_LOSS' }
  | { type: 'WIPE'; label: WipeLabel }
  | { type: 'INJECT_BOOT_FAULT'; fault: BootFault }
  | { type: 'SET_BOOT_FULL'; full: boolean }
  | { type: 'SET_INSTALL_FAILURE'; reason: string | null }
  | { type: 'SET_IMAGE_PULL_FAILURE'; reason: string | null }
  | { type: 'SET_BUSY_MOUNTS'; busy: boolean }
  | { type: 'ETCD_HEALTHY' }
  | { type: 'ETCD_IDENTITY'; memberId: string | null }
  | { type: 'PRECHECK_RESULT'; ok: boolean; reason: string }
  | { type: 'ETCD_LEAVE_RESULT'; ok: boolean; reason: string }
  /** The engine's answer to `kube.api`: whether the Kubernetes API answered in time. */
  | { type: 'KUBE_API_RESULT'; ok: boolean; reason: string }
  | { type: 'API_UPGRADE'; request: UpgradeRequest }
  | { type: 'API_REBOOT'; requestId: number; mode: RebootMode }
  | { type: 'API_ROLLBACK'; requestId: number }
  /** The engine: this node's Kubernetes node is Ready (its kubelet reached a working API server). */
  | { type: 'KUBE_NODE_READY' }
  | { type: 'API_RESET'; requestId: number; graceful: boolean; labels: WipeLabel[] };

/** Requests and observations the node emits; the engine executes or traces them. */
export type NodeEmitted =
  | { type: 'state'; state: string }
  | { type: 'boot.decision'; slot: SlotLabel | null; reason: string; mode: RebootMode }
  | {
      type: 'boot.failed';
      /** 'sequence': a failed upgrade sequence, which Talos handles like a failed boot (F§2). */
      stage: 'kernel' | 'hang' | 'initramfs' | 'init' | 'timeout' | 'sequence';
      version: string;
      reverted: boolean;
    }
  | {
      type: 'slot.write';
      slot: SlotLabel;
      version: string;
      /** 'removed': sd-boot deletes a UKI before it copies the new one (F§2). */
      phase: 'start' | 'done' | 'torn' | 'failed' | 'removed';
    }
  | { type: 'bootloader.flip'; default: SlotLabel; fallback: SlotLabel | null }
  | { type: 'meta'; key: string; value: string | null }
  | { type: 'disk.wipe'; label: string }
  | { type: 'ready'; version: string }
  | { type: 'upgrade.step'; step: string; detail?: string }
  | { type: 'api.reply'; requestId: number; ok: boolean; detail: string }
  /** Start the etcd service (control planes): the engine runs the etcd-service machine. */
  | { type: 'etcd.start' }
  | { type: 'etcd.stop'; graceful: boolean }
  | { type: 'etcd.leave' }
  /** The etcd data dir is empty now (wiped by an upgrade or a fault). */
  | { type: 'etcd.dataWiped' }
  /**
   * Services are up; MachineStatus waits for the Kubernetes node to be Ready, which needs a working API
   * server, hence etcd with a leader (F§2). The engine answers KUBE_NODE_READY once that holds.
   */
  | { type: 'kube.awaitNodeReady' }
  /** Cordon or drain calls the Kubernetes API, which needs etcd with a leader (F§2, F§3). */
  | { type: 'kube.api'; purpose: 'cordon' | 'drain' }
  /** Run the control-plane pre-checks of the Upgrade handler under `rules` (F§3). */
  | { type: 'precheck'; rules: TalosProfile; preserve: boolean };

export interface NodeInput {
  name: string;
  role: Role;
  /** An explicit rule-set override; null or absent = the running version decides (F§3). */
  profile?: TalosProfile | null;
  bootloader: BootloaderProfile;
  bootTries: number;
  timing: NodeTiming;
  rngSeed: number;
  version: string;
  etcdMemberId: string | null;
  /** The version in the other slot, for a node that was upgraded before (default: the slot is empty). */
  previousVersion?: string | null;
  quirks?: Partial<NodeQuirks>;
  /**
   * The disk as it is, for a machine that powers on over an existing disk (the real-node agent reads its
   * folders after a power loss: everything else in memory is gone). Default: a fresh install.
   */
  disk?: Disk;
}

/** The installer image reference talosctl sends for a version (the reference a pull failure names). */
export function installerImage(version: string): string {
  return `ghcr.io/siderolabs/installer:${version}`;
}

/** A freshly installed node: the image in slot A, META empty, EPHEMERAL holding its etcd identity. */
export function initialDisk(
  hostname: string,
  version: string,
  etcdMemberId: string | null,
  previousVersion: string | null = null,
): Disk {
  // A node upgraded before runs from B with its previous version still in A (and tag 6 long deleted).
  const boot: Disk['boot'] = previousVersion
    ? { A: { version: previousVersion, intact: true }, B: { version, intact: true } }
    : { A: { version, intact: true }, B: null };
  return {
    boot,
    bootloader: previousVersion ? { default: 'B', fallback: 'A' } : { default: 'A', fallback: null },
    meta: emptyMeta(),
    state: { hostname },
    ephemeral: { etcd: etcdMemberId ? { memberId: etcdMemberId } : null, userData: true },
  };
}

type Stage = keyof NodeTiming;

function draw(context: NodeContext, stage: Stage): Partial<NodeContext> {
  const r = context.timing[stage];
  const [delayMs, rng] = prngRange(context.rng, r.minMs, r.maxMs);
  return { delayMs, rng };
}

/** Consume one matching boot fault for `version` at `stage`; returns the new list or null if none fired. */
function consumeFault(faults: BootFault[], version: string, stage: BootFault['stage']): BootFault[] | null {
  const i = faults.findIndex((f) => f.version === version && f.stage === stage && f.remaining !== 0);
  if (i < 0) return null;
  const f = faults[i]!;
  if (f.remaining === null) return faults;
  const copy = faults.slice();
  copy[i] = { ...f, remaining: f.remaining - 1 };
  return copy;
}

/** The rollback API needs a previous slot the firmware can load (F§2: only one previous version exists). */
function canRollback(c: NodeContext): boolean {
  const fb = c.disk.bootloader.fallback;
  return fb !== null && slotLoadable(c.disk, fb, 'powercycle', c.bootFaults);
}

function isControlPlane(c: NodeContext): boolean {
  return c.role === 'controlplane';
}

/**
 * The rule set of this node's API handler and upgrade sequence: its *running* version's, unless the
 * scenario overrides it (F§3). Only called while a version runs.
 */
export function nodeRules(c: Pick<NodeContext, 'version' | 'profile'>): TalosProfile {
  return sequenceRules(c.version!, c.profile);
}

/** <=1.7 without preserve leaves etcd on upgrade, whatever the target (talosctl sends preserve=false, F§3). */
function leavesOnUpgrade(c: NodeContext): boolean {
  return nodeRules(c) === 'talos-1.7' && !(c.upgrade?.preserve ?? true);
}

/**
 * EPHEMERAL is wiped on upgrade only when a <=1.7 node asks for it (no preserve) *and* the target's
 * installer still does it: installers from 1.8 on refuse (F§1, F§3).
 */
function wipesOnUpgrade(c: NodeContext): boolean {
  return leavesOnUpgrade(c) && installerWipes(c.upgrade!.version, c.profile);
}

function wipeDisk(disk: Disk, label: WipeLabel): Disk {
  const d: Disk = { ...disk };
  if (label === 'EPHEMERAL' || label === 'all') d.ephemeral = { etcd: null, userData: false };
  if (label === 'STATE' || label === 'all') d.state = null;
  if (label === 'META' || label === 'all') d.meta = null;
  if (label === 'BOOT' || label === 'all') d.boot = { A: null, B: null };
  return d;
}

export const nodeMachine = setup({
  types: {
    context: {} as NodeContext,
    events: {} as NodeEvent,
    emitted: {} as NodeEmitted,
    input: {} as NodeInput,
  },
  delays: {
    stage: ({ context }) => context.delayMs,
    bootTimeout: TALOS_TIMEOUTS.bootTimeoutMs,
    revertReboot: TALOS_TIMEOUTS.revertRebootMs,
    panicReboot: TALOS_TIMEOUTS.panicRebootMs,
    initramfsReboot: TALOS_TIMEOUTS.initramfsRebootMs,
    leaveRetry: ETCD_LEAVE_TIMING.retryEveryMs,
  },
  actions: {
    // Rollback API: revert the bootloader to the previous slot and reboot through firmware (F§2).
    rollback: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'API_ROLLBACK') return;
      const fb = context.disk.bootloader.fallback!;
      const def = context.disk.bootloader.default;
      enqueue.assign({
        disk: {
          ...context.disk,
          bootloader: { default: fb, fallback: def },
          meta: context.disk.meta
            ? { ...context.disk.meta, upgradeFallback: null, tentative: null, triesLeft: null }
            : null,
        },
        upgrade: {
          requestId: -1,
          version: '',
          preserve: true,
          stage: false,
          force: true,
          rebootMode: 'powercycle',
        },
      });
      enqueue.emit({ type: 'bootloader.flip', default: fb, fallback: def });
      enqueue.emit({
        type: 'api.reply',
        requestId: event.requestId,
        ok: true,
        detail: `rolling back to slot ${fb}`,
      });
    }),
    // A Rollback request takes over a running upgrade sequence (F§2): the sequence stops where it is. An
    // installer killed in the middle of its write leaves that slot torn, like a power loss would.
    rollbackTakesOver: enqueueActions(({ context, enqueue }) => {
      const u = context.upgrade!;
      enqueue.emit({ type: 'upgrade.step', step: 'taken-over', detail: 'rollback' });
      const slot = context.writing;
      if (slot) {
        enqueue.assign({
          disk: {
            ...context.disk,
            boot: { ...context.disk.boot, [slot]: { version: u.version, intact: false } },
          },
          writing: null,
        });
        enqueue.emit({ type: 'slot.write', slot, version: u.version, phase: 'torn' });
      }
    }),
    // Any fatal error of the boot sequence (F§2). Named so canary tests can break it.
    onFailedBoot: enqueueActions(({ context, enqueue }) => {
      // Any fatal error of the boot sequence, a failed upgrade sequence included: with META tag 6 present
      // Talos (GRUB or sd-boot) reverts the bootloader to the previous slot and deletes the tag; in every
      // case it then waits 10 s and reboots through firmware: one try (F§2). The bootloader-driven
      // profiles revert in the bootloader instead.
      const revert = revertsInSoftware(context.bootloader)
        ? softwareRevert(context.bootloader, context.disk, context.bootedSlot)
        : null;
      if (revert) {
        enqueue.assign({
          disk: {
            ...context.disk,
            bootloader: revert,
            meta: { ...context.disk.meta!, upgradeFallback: null },
          },
        });
        enqueue.emit({ type: 'bootloader.flip', ...revert });
        enqueue.emit({ type: 'meta', key: 'upgradeFallback', value: null });
      }
      enqueue.assign({ ready: false });
      // A failed sequence shows as its own state: the node did not fail to *boot* (rollback invariant).
      enqueue.emit({
        type: 'state',
        state: context.failReason === 'sequence' ? 'sequenceFailed' : 'bootFailed',
      });
      enqueue.emit({
        type: 'boot.failed',
        stage: context.failReason ?? 'init',
        version: context.version ?? '',
        reverted: revert !== null,
      });
      enqueue.emit({ type: 'etcd.stop', graceful: true });
    }),
    becomeReady: enqueueActions(({ context, enqueue }) => {
      // The new slot becomes good when the machine is Running and Ready: tag 6 is deleted (F§2). The
      // bootloader profiles clear their tentative flag / counter the same way. The disk is built up in
      // one value and assigned once: `context` is the snapshot from before any of these assignments.
      let disk = context.disk;
      const booted = context.bootedSlot;
      if (booted !== null && booted !== disk.bootloader.default) {
        // Ready on a slot GRUB fell back to (the default could not be loaded, F§2): the upgrade did not
        // take, so the default is pointed back at the running slot rather than left on an image that
        // might load on some later power cycle and upgrade the node unannounced.
        const bootloader = { default: booted, fallback: otherSlot(booted) };
        disk = { ...disk, bootloader };
        enqueue.emit({ type: 'bootloader.flip', ...bootloader });
      }
      const meta = disk.meta;
      if (meta && (meta.upgradeFallback !== null || meta.tentative !== null || meta.triesLeft !== null)) {
        disk = { ...disk, meta: { ...meta, upgradeFallback: null, tentative: null, triesLeft: null } };
        enqueue.emit({ type: 'meta', key: 'upgradeFallback', value: null });
      }
      enqueue.assign({ disk, ready: true, cordoned: false });
      enqueue.emit({ type: 'ready', version: context.version ?? '' });
    }),
    // The Upgrade handler could not pull the installer image (F§3). The reply names the image as Talos does
    // ("error validating installer image %q: %w"); the request never reaches the sequence.
    refusePull: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'API_UPGRADE') return;
      const image = installerImage(event.request.version);
      const detail = `error validating installer image "${image}": failed to pull image "${image}": ${context.imagePullFailure}`;
      // While another sequence runs, only the caller hears of it: the steps would end that sequence's
      // record (a `refused` step means the node is no longer mid-upgrade).
      if (context.upgrade === null) {
        enqueue.emit({ type: 'upgrade.step', step: 'request', detail: event.request.version });
        enqueue.emit({ type: 'upgrade.step', step: 'refused', detail });
      }
      enqueue.emit({ type: 'api.reply', requestId: event.request.requestId, ok: false, detail });
    }),
    // The installer failed before the flip (T#12551, T#10364): a fatal error of the upgrade reboots the
    // node on its current slot; no tag 6 was written yet, so nothing needs reverting.
    installFailed: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({
        type: 'slot.write',
        slot: context.writing!,
        version: context.upgrade!.version,
        phase: 'failed',
      });
      const why = context.bootFull
        ? 'write /boot: no space left on device (BOOT partition full)'
        : (context.installFailure ?? 'unknown error');
      enqueue.emit({ type: 'upgrade.step', step: 'failed', detail: `installer: ${why}` });
      enqueue.assign({ writing: null, failReason: 'sequence' });
    }),
    // A successful LeaveCluster stops etcd and removes its data dir, staged or not (F§3): on the next boot
    // the node rejoins as a new member, whatever the target installer does with EPHEMERAL.
    leftEtcd: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'etcd.stop', graceful: true });
      if (context.disk.ephemeral.etcd === null) return;
      enqueue.assign({ disk: { ...context.disk, ephemeral: { ...context.disk.ephemeral, etcd: null } } });
      enqueue.emit({ type: 'etcd.dataWiped' });
    }),
    // The installer writes only the inactive BOOT slot (F§1). Named so canary tests can break it.
    beginInstall: enqueueActions(({ context, enqueue }) => {
      const version = context.upgrade!.version;
      const target = installTarget(context.bootloader, context.disk, context.bootedSlot!, version);
      const slot = target.slot;
      enqueue.assign({ ...draw(context, 'install'), writing: slot });
      if (target.removes !== null && context.installFailure === null) {
        // sd-boot: every UKI but the booted one is removed before the new one is copied (F§2).
        const old = context.disk.boot[target.removes]!;
        enqueue.assign({ disk: { ...context.disk, boot: { ...context.disk.boot, [target.removes]: null } } });
        enqueue.emit({ type: 'slot.write', slot: target.removes, version: old.version, phase: 'removed' });
      }
      if (context.quirks.flipBeforeWrite) {
        // The pre-fix order (T#10364): the bootloader points at the target slot before the image is in it.
        enqueue.assign({
          disk: { ...context.disk, bootloader: { default: slot, fallback: context.bootedSlot! } },
        });
        enqueue.emit({ type: 'bootloader.flip', default: slot, fallback: context.bootedSlot! });
      }
      enqueue.emit({ type: 'upgrade.step', step: 'install', detail: `slot ${slot}` });
      enqueue.emit({ type: 'slot.write', slot, version: context.upgrade!.version, phase: 'start' });
    }),
    // Flip the slots: default := new, fallback := current, META tag 6 := current (F§2); the bootloader
    // profiles arm their own one-try / N-tries state. <=1.7 without preserve also wipes EPHEMERAL (F§1).
    flipToNewSlot: enqueueActions(({ context, enqueue }) => {
      const slot = context.writing!;
      const current = context.bootedSlot!;
      const version = context.upgrade!.version;
      const meta = context.disk.meta ?? emptyMeta();
      const flip = afterInstall(slot, current);
      let disk: Disk = {
        ...context.disk,
        boot: { ...context.disk.boot, [slot]: { version, intact: true } },
        bootloader: flip.bootloader,
        meta: {
          ...meta,
          upgradeFallback: flip.upgradeFallback,
          tentative: context.bootloader === 'grub-tentative' ? 'armed' : null,
          triesLeft: context.bootloader === 'boot-counting' ? context.bootTries : null,
        },
      };
      enqueue.emit({ type: 'slot.write', slot, version, phase: 'done' });
      enqueue.emit({ type: 'bootloader.flip', ...flip.bootloader });
      enqueue.emit({ type: 'meta', key: 'upgradeFallback', value: flip.upgradeFallback });
      if (wipesOnUpgrade(context)) {
        disk = wipeDisk(disk, 'EPHEMERAL');
        enqueue.emit({ type: 'disk.wipe', label: 'EPHEMERAL' });
        if (context.disk.ephemeral.etcd) enqueue.emit({ type: 'etcd.dataWiped' });
      }
      enqueue.assign({ disk, writing: null });
    }),
  },
  guards: {
    isControlPlane: ({ context }) => isControlPlane(context),
    noSlot: ({ context }) => context.bootedSlot === null,
    noConfig: ({ context }) => context.disk.state === null,
    initWillFail: ({ context }) => context.initWillFail,
    hasStaged: ({ context }) => context.disk.meta?.staged != null,
    installFails: ({ context }) => context.bootFull || context.installFailure !== null,
    imagePullFails: ({ context }) => context.imagePullFailure !== null,
    notUpgrading: ({ context }) => context.upgrade === null,
    needsPrechecks: ({ context }) =>
      isControlPlane(context) && !context.upgrade!.force && nodeRules(context) !== 'talos-1.13',
    liveInstallFirst: ({ context }) => nodeRules(context) === 'talos-1.13',
    leavesEtcd: ({ context }) => isControlPlane(context) && leavesOnUpgrade(context),
    canRollback: ({ context }) => canRollback(context),
  },
}).createMachine({
  id: 'node',
  context: ({ input }) => ({
    name: input.name,
    role: input.role,
    profile: input.profile ?? null,
    bootloader: input.bootloader,
    bootTries: input.bootTries,
    timing: input.timing,
    rng: input.rngSeed >>> 0,
    delayMs: 0,
    disk:
      input.disk ?? initialDisk(input.name, input.version, input.etcdMemberId, input.previousVersion ?? null),
    bootFaults: [],
    bootMode: 'powercycle',
    bootedSlot: null,
    version: null,
    ready: false,
    cordoned: false,
    upgrade: null,
    writing: null,
    bootFull: false,
    installFailure: null,
    imagePullFailure: null,
    busyMounts: false,
    quirks: { flipBeforeWrite: input.quirks?.flipBeforeWrite ?? false },
    initWillFail: false,
    resetLabels: [],
    resetGraceful: false,
    failReason: null,
  }),
  initial: 'off',
  on: {
    POWER_LOSS: {
      target: '.off',
      actions: enqueueActions(({ context, enqueue }) => {
        // A power loss in the middle of writing a slot leaves that slot corrupt (DESIGN.md, disk).
        const slot = context.writing;
        if (slot && context.upgrade) {
          const version = context.upgrade.version;
          enqueue.assign({
            disk: { ...context.disk, boot: { ...context.disk.boot, [slot]: { version, intact: false } } },
          });
          enqueue.emit({ type: 'slot.write', slot, version, phase: 'torn' });
        }
        enqueue.emit({ type: 'etcd.stop', graceful: false });
      }),
    },
    WIPE: {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const hadEtcd = context.disk.ephemeral.etcd !== null;
        enqueue.assign({ disk: wipeDisk(context.disk, event.label) });
        enqueue.emit({ type: 'disk.wipe', label: event.label });
        if (hadEtcd && (event.label === 'EPHEMERAL' || event.label === 'all'))
          enqueue.emit({ type: 'etcd.dataWiped' });
      }),
    },
    // remaining 0 clears the faults of that version and stage (the liveness phase ends them).
    INJECT_BOOT_FAULT: {
      actions: assign({
        bootFaults: ({ context, event }) =>
          event.fault.remaining === 0
            ? context.bootFaults.filter(
                (f) => f.version !== event.fault.version || f.stage !== event.fault.stage,
              )
            : [...context.bootFaults, event.fault],
      }),
    },
    SET_BOOT_FULL: { actions: assign({ bootFull: ({ event }) => event.full }) },
    SET_INSTALL_FAILURE: { actions: assign({ installFailure: ({ event }) => event.reason }) },
    SET_IMAGE_PULL_FAILURE: { actions: assign({ imagePullFailure: ({ event }) => event.reason }) },
    SET_BUSY_MOUNTS: { actions: assign({ busyMounts: ({ event }) => event.busy }) },
    ETCD_IDENTITY: {
      actions: assign({
        disk: ({ context, event }) => ({
          ...context.disk,
          ephemeral: {
            ...context.disk.ephemeral,
            etcd: event.memberId ? { memberId: event.memberId } : null,
          },
        }),
      }),
    },
    API_UPGRADE: {
      actions: emit(({ event }) => ({
        type: 'api.reply' as const,
        requestId: event.request.requestId,
        ok: false,
        detail: 'node is not running',
      })),
    },
    API_REBOOT: {
      actions: emit(({ event }) => ({
        type: 'api.reply' as const,
        requestId: event.requestId,
        ok: false,
        detail: 'node is not running',
      })),
    },
    API_RESET: {
      actions: emit(({ event }) => ({
        type: 'api.reply' as const,
        requestId: event.requestId,
        ok: false,
        detail: 'node is not running',
      })),
    },
    API_ROLLBACK: {
      actions: emit(({ event }) => ({
        type: 'api.reply' as const,
        requestId: event.requestId,
        ok: false,
        detail: 'node is not running',
      })),
    },
  },
  states: {
    off: {
      entry: [
        assign({
          bootedSlot: null,
          version: null,
          ready: false,
          writing: null,
          upgrade: null,
          initWillFail: false,
        }),
        emit({ type: 'state', state: 'off' }),
      ],
      on: { POWER_ON: { target: 'firmware', actions: assign({ bootMode: 'powercycle' }) } },
    },
    firmware: {
      entry: [assign(({ context }) => draw(context, 'firmware')), emit({ type: 'state', state: 'firmware' })],
      after: { stage: 'bootloader' },
    },
    bootloader: {
      entry: enqueueActions(({ context, enqueue }) => {
        const d = chooseSlot(context.disk, context.bootloader, context.bootMode, context.bootFaults);
        const version = d.slot ? d.disk.boot[d.slot]!.version : null;
        enqueue.assign({ disk: d.disk, bootedSlot: d.slot, version, bootFaults: [...d.faults] });
        enqueue.emit({ type: 'boot.decision', slot: d.slot, reason: d.reason, mode: context.bootMode });
      }),
      always: [{ guard: 'noSlot', target: 'halted' }, { target: 'kernel' }],
    },
    kernel: {
      entry: [assign(({ context }) => draw(context, 'kernel')), emit({ type: 'state', state: 'kernel' })],
      after: {
        stage: [
          {
            // A kernel panic before init: nothing in Talos covers it (F§2), the machine reboots through
            // firmware at once and the bootloader picks again.
            guard: ({ context }) => consumeFault(context.bootFaults, context.version!, 'kernel') !== null,
            target: 'panicked',
            actions: assign({
              bootFaults: ({ context }) => consumeFault(context.bootFaults, context.version!, 'kernel')!,
            }),
          },
          {
            // The kernel or initramfs never reaches init: nothing reboots it (F§2).
            guard: ({ context }) => consumeFault(context.bootFaults, context.version!, 'hang') !== null,
            target: 'hung',
            actions: assign({
              bootFaults: ({ context }) => consumeFault(context.bootFaults, context.version!, 'hang')!,
            }),
          },
          {
            // The initramfs `init` fails: it reboots after 10 s, before machined could revert (F§2).
            guard: ({ context }) => consumeFault(context.bootFaults, context.version!, 'initramfs') !== null,
            target: 'initramfsFailed',
            actions: assign({
              bootFaults: ({ context }) => consumeFault(context.bootFaults, context.version!, 'initramfs')!,
            }),
          },
          { target: 'init' },
        ],
      },
    },
    panicked: {
      entry: [
        emit({ type: 'state', state: 'panicked' }),
        emit(({ context }) => ({
          type: 'boot.failed' as const,
          stage: 'kernel' as const,
          version: context.version ?? '',
          reverted: false,
        })),
      ],
      after: { panicReboot: { target: 'firmware', actions: assign({ bootMode: 'powercycle' }) } },
    },
    hung: {
      // Only a power cycle (POWER_LOSS, then POWER_ON) gets a hung machine going again.
      entry: [
        emit({ type: 'state', state: 'hung' }),
        emit(({ context }) => ({
          type: 'boot.failed' as const,
          stage: 'hang' as const,
          version: context.version ?? '',
          reverted: false,
        })),
      ],
    },
    initramfsFailed: {
      entry: [
        emit({ type: 'state', state: 'initramfsFailed' }),
        emit(({ context }) => ({
          type: 'boot.failed' as const,
          stage: 'initramfs' as const,
          version: context.version ?? '',
          reverted: false,
        })),
      ],
      after: { initramfsReboot: { target: 'firmware', actions: assign({ bootMode: 'powercycle' }) } },
    },
    init: {
      entry: [
        assign(({ context }) => {
          const f = consumeFault(context.bootFaults, context.version!, 'init');
          return f ? { bootFaults: f, initWillFail: true } : { initWillFail: false };
        }),
        emit({ type: 'state', state: 'init' }),
      ],
      // The boot sequence fails if services are not up in 70 min (F§2).
      after: { bootTimeout: { target: 'bootFailed', actions: assign({ failReason: 'timeout' }) } },
      initial: 'services',
      states: {
        services: {
          entry: assign(({ context }) => draw(context, 'init')),
          after: {
            stage: [
              { guard: 'noConfig', target: '#node.maintenance' },
              { guard: 'initWillFail', target: '#node.bootFailed', actions: assign({ failReason: 'init' }) },
              { guard: 'hasStaged', target: 'stagedInstall' },
              { guard: 'isControlPlane', target: 'waitEtcd' },
              { target: '#node.running' },
            ],
          },
        },
        stagedInstall: {
          // --stage: the next boot installs the staged image and reboots again; one attempt only (F§3).
          entry: enqueueActions(({ context, enqueue }) => {
            const staged = context.disk.meta!.staged!;
            const slot = otherSlot(context.bootedSlot!);
            enqueue.assign({
              ...draw(context, 'install'),
              disk: { ...context.disk, meta: { ...context.disk.meta!, staged: null } },
              upgrade: {
                requestId: -1,
                version: staged.version,
                preserve: staged.preserve,
                stage: false,
                force: true,
                rebootMode: 'kexec',
              },
              writing: slot,
            });
            enqueue.emit({ type: 'meta', key: 'staged', value: null });
            enqueue.emit({ type: 'slot.write', slot, version: staged.version, phase: 'start' });
          }),
          after: {
            stage: [
              {
                // The one staged attempt failed (F§3): reboot into the current slot, staged tags cleared.
                guard: 'installFails',
                target: '#node.bootFailed',
                actions: 'installFailed',
              },
              { target: '#node.rebooting', actions: 'flipToNewSlot' },
            ],
          },
        },
        waitEtcd: {
          // On a control plane etcd counts as up only after a linearizable read succeeds: it needs quorum,
          // and a learner never passes (F§2).
          entry: emit({ type: 'etcd.start' }),
          on: { ETCD_HEALTHY: '#node.running' },
        },
      },
    },
    bootFailed: {
      entry: 'onFailedBoot',
      exit: assign({ failReason: null }),
      after: {
        // After a failed boot or sequence Talos reboots through firmware (LINUX_REBOOT_CMD_RESTART), never
        // by kexec, whatever the profile (F§2).
        revertReboot: {
          target: 'rebooting',
          actions: assign({
            upgrade: ({ context }) => ({
              requestId: -1,
              version: context.version ?? '',
              preserve: true,
              stage: false,
              force: true,
              rebootMode: 'powercycle' as const,
            }),
          }),
        },
      },
    },
    halted: {
      // No loadable slot: the machine sits in firmware forever (the `bootable` invariant flags this).
      entry: emit({ type: 'state', state: 'halted' }),
    },
    maintenance: {
      // STATE wiped: no machine config, Talos waits in maintenance mode for a new config.
      entry: emit({ type: 'state', state: 'maintenance' }),
    },
    rebooting: {
      entry: enqueueActions(({ context, enqueue }) => {
        enqueue.emit({ type: 'state', state: 'rebooting' });
        enqueue.emit({ type: 'etcd.stop', graceful: true });
        // The bootloader-enforced profiles only work through the bootloader: Kairos and Elemental reboot
        // through firmware, so kexec is never used there (a kexec boot would skip the tentative flag or the
        // tries counter and give a bad image an extra try).
        const mode = revertsInSoftware(context.bootloader)
          ? (context.upgrade?.rebootMode ?? 'kexec')
          : 'powercycle';
        // kexec cannot load an unloadable image; Talos then falls back to a full reboot.
        const kexecOk =
          mode === 'kexec' &&
          slotLoadable(context.disk, context.disk.bootloader.default, 'kexec', context.bootFaults);
        enqueue.assign({
          bootMode: kexecOk ? 'kexec' : 'powercycle',
          upgrade: null,
          writing: null,
          ready: false,
          version: null,
        });
      }),
      always: [
        {
          guard: ({ context }) => context.bootMode === 'kexec',
          target: 'kernel',
          actions: enqueueActions(({ context, enqueue }) => {
            const d = chooseSlot(context.disk, context.bootloader, 'kexec', context.bootFaults);
            enqueue.assign({
              bootedSlot: d.slot,
              version: d.slot ? context.disk.boot[d.slot]!.version : null,
            });
            enqueue.emit({ type: 'boot.decision', slot: d.slot, reason: d.reason, mode: 'kexec' });
          }),
        },
        { target: 'firmware' },
      ],
    },
    running: {
      entry: [emit({ type: 'state', state: 'running' }), assign({ failReason: null })],
      type: 'parallel',
      states: {
        readiness: {
          initial: 'notReady',
          states: {
            // The kubelet starts and registers: the drawn `ready` delay.
            notReady: {
              entry: assign(({ context }) => draw(context, 'ready')),
              after: { stage: 'waitNodeReady' },
            },
            // MachineStatus is Ready only with the Kubernetes node Ready, and only then is the new slot
            // proven (tag 6 deleted); until then a failure still reverts (F§2).
            waitNodeReady: {
              entry: emit({ type: 'kube.awaitNodeReady' }),
              on: { KUBE_NODE_READY: { target: 'ready', actions: 'becomeReady' } },
            },
            // Entered only through becomeReady.
            ready: {},
          },
        },
        // One sequence per node at a time (F§3): idle, upgrading or resetting.
        activity: {
          // The API handlers live here, not on the parallel `running` state: a transition from a parallel
          // state to a descendant exits and re-enters every region, which would restart the Ready timer.
          on: {
            API_REBOOT: [
              {
                guard: 'notUpgrading',
                target: '#node.rebooting',
                actions: [
                  emit(({ event }) => ({
                    type: 'api.reply' as const,
                    requestId: event.requestId,
                    ok: true,
                    detail: 'rebooting',
                  })),
                  assign({
                    upgrade: ({ event }) => ({
                      requestId: -1,
                      version: '',
                      preserve: true,
                      stage: false,
                      force: true,
                      rebootMode: event.mode,
                    }),
                  }),
                ],
              },
              // One sequence per node at a time: a reboot during an upgrade is refused (F§3).
              {
                actions: emit(({ event }) => ({
                  type: 'api.reply' as const,
                  requestId: event.requestId,
                  ok: false,
                  detail: 'upgrade in progress',
                })),
              },
            ],
            API_ROLLBACK: [
              {
                guard: ({ context }) => context.upgrade === null && canRollback(context),
                target: '#node.rebooting',
                actions: 'rollback',
              },
              {
                actions: emit(({ event }) => ({
                  type: 'api.reply' as const,
                  requestId: event.requestId,
                  ok: false,
                  detail: 'no previous slot or upgrade in progress',
                })),
              },
            ],
            API_RESET: [
              {
                // Reset (F§1): graceful cordons, drains and (control plane) leaves etcd first, then the
                // labels are wiped and the machine reboots. One sequence per node at a time (F§3).
                guard: 'notUpgrading',
                target: '.resetting',
                actions: [
                  assign({
                    upgrade: ({ event }) => ({
                      requestId: event.requestId,
                      version: '',
                      preserve: true,
                      stage: false,
                      force: true,
                      rebootMode: 'powercycle' as const,
                    }),
                    resetLabels: ({ event }) => event.labels,
                    resetGraceful: ({ event }) => event.graceful,
                  }),
                  emit(({ event }) => ({
                    type: 'api.reply' as const,
                    requestId: event.requestId,
                    ok: true,
                    detail: `resetting ${event.labels.join(',')}`,
                  })),
                ],
              },
              {
                actions: emit(({ event }) => ({
                  type: 'api.reply' as const,
                  requestId: event.requestId,
                  ok: false,
                  detail: 'upgrade in progress',
                })),
              },
            ],
            API_UPGRADE: [
              {
                // The handler pulls and validates the installer image first, before the upgrade mutex, the
                // pre-checks and the sequence (F§3): a pull failure is a refused request with a definite
                // error. Nothing is cordoned, drained, left or rebooted, and a running sequence goes on.
                guard: 'imagePullFails',
                actions: 'refusePull',
              },
              {
                guard: 'notUpgrading',
                target: '.upgrading',
                actions: assign({ upgrade: ({ event }) => event.request }),
              },
              {
                actions: emit(({ event }) => ({
                  type: 'api.reply' as const,
                  requestId: event.request.requestId,
                  ok: false,
                  detail: 'upgrade in progress',
                })),
              },
            ],
          },
          initial: 'idle',
          states: {
            idle: {},
            resetting: {
              entry: emit({ type: 'upgrade.step', step: 'reset' }),
              initial: 'route',
              states: {
                route: {
                  always: [
                    { guard: ({ context }) => context.resetGraceful, target: 'cordon' },
                    { target: 'wipe' },
                  ],
                },
                cordon: {
                  entry: assign(({ context }) => ({ ...draw(context, 'cordon'), cordoned: true })),
                  after: { stage: 'drain' },
                },
                drain: {
                  entry: assign(({ context }) => draw(context, 'drain')),
                  after: { stage: [{ guard: 'isControlPlane', target: 'leave' }, { target: 'wipe' }] },
                },
                leave: {
                  entry: emit({ type: 'etcd.leave' }),
                  on: {
                    ETCD_LEAVE_RESULT: [
                      { guard: ({ event }) => event.ok, target: 'wipe' },
                      {
                        target: '#node.running.activity.idle',
                        actions: [
                          emit(({ event }) => ({
                            type: 'upgrade.step' as const,
                            step: 'reset-failed',
                            detail: event.reason,
                          })),
                          assign({ upgrade: null }),
                        ],
                      },
                    ],
                  },
                },
                wipe: {
                  entry: enqueueActions(({ context, enqueue }) => {
                    if (isControlPlane(context)) enqueue.emit({ type: 'etcd.stop', graceful: true });
                    let disk = context.disk;
                    for (const label of context.resetLabels) {
                      disk = wipeDisk(disk, label);
                      enqueue.emit({ type: 'disk.wipe', label });
                    }
                    if (context.disk.ephemeral.etcd && !disk.ephemeral.etcd)
                      enqueue.emit({ type: 'etcd.dataWiped' });
                    enqueue.assign({ disk });
                  }),
                  always: '#node.rebooting',
                },
              },
            },
            upgrading: {
              entry: emit(({ context }) => ({
                type: 'upgrade.step' as const,
                step: 'request',
                detail: context.upgrade!.version,
              })),
              on: {
                // Rollback takes over the sequence (F§2); a request still in its pre-checks is answered.
                API_ROLLBACK: [
                  {
                    guard: and(['canRollback', stateIn('#node.running.activity.upgrading.prechecks')]),
                    target: '#node.rebooting',
                    actions: [
                      emit(({ context }) => ({
                        type: 'api.reply' as const,
                        requestId: context.upgrade!.requestId,
                        ok: false,
                        detail: 'upgrade taken over by a rollback',
                      })),
                      'rollbackTakesOver',
                      'rollback',
                    ],
                  },
                  {
                    guard: 'canRollback',
                    target: '#node.rebooting',
                    actions: ['rollbackTakesOver', 'rollback'],
                  },
                  {
                    actions: emit(({ event }) => ({
                      type: 'api.reply' as const,
                      requestId: event.requestId,
                      ok: false,
                      detail: 'no previous slot to roll back to',
                    })),
                  },
                ],
              },
              initial: 'route',
              states: {
                route: {
                  always: [{ guard: 'needsPrechecks', target: 'prechecks' }, { target: 'accepted' }],
                },
                prechecks: {
                  entry: [
                    emit({ type: 'upgrade.step', step: 'prechecks' }),
                    emit(({ context }) => ({
                      type: 'precheck' as const,
                      rules: nodeRules(context),
                      preserve: context.upgrade!.preserve,
                    })),
                  ],
                  on: {
                    PRECHECK_RESULT: [
                      { guard: ({ event }) => event.ok, target: 'accepted' },
                      {
                        target: '#node.running.activity.idle',
                        actions: [
                          emit(({ context, event }) => ({
                            type: 'api.reply' as const,
                            requestId: context.upgrade!.requestId,
                            ok: false,
                            detail: `pre-check failed: ${event.reason}`,
                          })),
                          emit(({ event }) => ({
                            type: 'upgrade.step' as const,
                            step: 'refused',
                            detail: event.reason,
                          })),
                          assign({ upgrade: null }),
                        ],
                      },
                    ],
                  },
                },
                accepted: {
                  entry: [
                    emit({ type: 'upgrade.step', step: 'accepted' }),
                    emit(({ context }) => ({
                      type: 'api.reply' as const,
                      requestId: context.upgrade!.requestId,
                      ok: true,
                      detail: 'upgrade accepted',
                    })),
                  ],
                  always: [
                    { guard: ({ context }) => context.upgrade!.stage, target: 'staging' },
                    { guard: 'liveInstallFirst', target: 'install' },
                    { target: 'cordon' },
                  ],
                },
                staging: {
                  // --stage writes the image ref to META tags 7/8 and reboots (F§3).
                  entry: enqueueActions(({ context, enqueue }) => {
                    const u = context.upgrade!;
                    enqueue.assign({
                      disk: {
                        ...context.disk,
                        meta: {
                          ...(context.disk.meta ?? emptyMeta()),
                          staged: { version: u.version, preserve: u.preserve },
                        },
                      },
                    });
                    enqueue.emit({ type: 'meta', key: 'staged', value: u.version });
                  }),
                  // A staged upgrade has no cordon and no drain; a <=1.7 node still leaves etcd (F§3).
                  always: [{ guard: 'leavesEtcd', target: 'leaveEtcd' }, { target: 'stopServices' }],
                },
                cordon: {
                  // Cordon needs the Kubernetes API; it waits at most 1 min for it (F§3). The 1.13 live
                  // install's cordon is talosctl's, on the client side: it is not gated here.
                  entry: [
                    emit({ type: 'upgrade.step', step: 'cordon' }),
                    assign(({ context }) => draw(context, 'cordon')),
                  ],
                  initial: 'route',
                  states: {
                    route: {
                      always: [{ guard: 'liveInstallFirst', target: 'cordoning' }, { target: 'waitApi' }],
                    },
                    waitApi: {
                      entry: emit({ type: 'kube.api', purpose: 'cordon' as const }),
                      on: {
                        KUBE_API_RESULT: [
                          { guard: ({ event }) => event.ok, target: 'cordoning' },
                          {
                            target: '#node.bootFailed',
                            actions: [
                              emit(({ event }) => ({
                                type: 'upgrade.step' as const,
                                step: 'failed',
                                detail: `cordon: ${event.reason}`,
                              })),
                              assign({ failReason: 'sequence' }),
                            ],
                          },
                        ],
                      },
                    },
                    cordoning: {
                      entry: assign({ cordoned: true }),
                      after: { stage: '#node.running.activity.upgrading.drain' },
                    },
                  },
                },
                drain: {
                  // Drain fails if the pods cannot be listed; evictions that do not finish are given up
                  // silently after 5 min (F§3).
                  entry: [
                    emit({ type: 'upgrade.step', step: 'drain' }),
                    assign(({ context }) => {
                      const d = draw(context, 'drain');
                      return { ...d, delayMs: Math.min(d.delayMs!, DRAIN_EVICTION_BUDGET_MS) };
                    }),
                  ],
                  initial: 'route',
                  states: {
                    route: {
                      always: [{ guard: 'liveInstallFirst', target: 'draining' }, { target: 'listPods' }],
                    },
                    listPods: {
                      entry: emit({ type: 'kube.api', purpose: 'drain' as const }),
                      on: {
                        KUBE_API_RESULT: [
                          { guard: ({ event }) => event.ok, target: 'draining' },
                          {
                            target: '#node.bootFailed',
                            actions: [
                              emit(({ event }) => ({
                                type: 'upgrade.step' as const,
                                step: 'failed',
                                detail: `drain: listing pods: ${event.reason}`,
                              })),
                              assign({ failReason: 'sequence' }),
                            ],
                          },
                        ],
                      },
                    },
                    draining: {
                      after: {
                        stage: [
                          { guard: 'leavesEtcd', target: '#node.running.activity.upgrading.leaveEtcd' },
                          { target: '#node.running.activity.upgrading.stopServices' },
                        ],
                      },
                    },
                  },
                },
                leaveEtcd: {
                  // <=1.7 without preserve: leave etcd (remove itself as a member). Only ErrUnhealthy and
                  // ErrStopped are retried, every 10 s for up to 5 min; any other error fails at once (F§3).
                  entry: [emit({ type: 'upgrade.step', step: 'leave-etcd' }), emit({ type: 'etcd.leave' })],
                  initial: 'waiting',
                  after: {
                    [ETCD_LEAVE_TIMING.budgetMs]: {
                      // A fatal error of the sequence: handled like a failed boot (F§2).
                      target: '#node.bootFailed',
                      actions: [
                        emit({
                          type: 'upgrade.step',
                          step: 'failed',
                          detail: 'leaving etcd failed for 5 min',
                        }),
                        assign({ failReason: 'sequence' }),
                      ],
                    },
                  },
                  states: {
                    waiting: {
                      on: {
                        ETCD_LEAVE_RESULT: [
                          {
                            guard: ({ event }) => event.ok,
                            target: '#node.running.activity.upgrading.stopServices',
                            actions: 'leftEtcd',
                          },
                          {
                            guard: ({ event }) => leaveErrorRetryable(event.reason),
                            target: 'backoff',
                            actions: emit(({ event }) => ({
                              type: 'upgrade.step' as const,
                              step: 'leave-etcd-retry',
                              detail: event.reason,
                            })),
                          },
                          {
                            target: '#node.bootFailed',
                            actions: [
                              emit(({ event }) => ({
                                type: 'upgrade.step' as const,
                                step: 'failed',
                                detail: `leaving etcd: ${event.reason}`,
                              })),
                              assign({ failReason: 'sequence' }),
                            ],
                          },
                        ],
                      },
                    },
                    backoff: {
                      after: { leaveRetry: { target: 'waiting', actions: emit({ type: 'etcd.leave' }) } },
                    },
                  },
                },
                stopServices: {
                  entry: enqueueActions(({ context, enqueue }) => {
                    enqueue.emit({ type: 'upgrade.step', step: 'stop-services' });
                    // kubelet stops with the other services: the node is no longer Ready.
                    enqueue.assign({ ready: false });
                    if (isControlPlane(context)) enqueue.emit({ type: 'etcd.stop', graceful: true });
                  }),
                  always: [
                    { guard: ({ context }) => context.upgrade!.stage, target: '#node.rebooting' },
                    { guard: 'liveInstallFirst', target: '#node.rebooting' },
                    {
                      // Unmounting /var fails while something still holds it: the upgrade aborts and the node
                      // reboots on its current slot (T#9307, T#8800). The live installer of 1.13 never unmounts.
                      guard: ({ context }) => context.busyMounts,
                      target: '#node.bootFailed',
                      actions: [
                        emit({
                          type: 'upgrade.step',
                          step: 'failed',
                          detail: 'unmount /var: device or resource busy',
                        }),
                        assign({ failReason: 'sequence' }),
                      ],
                    },
                    { target: 'install' },
                  ],
                },
                install: {
                  entry: 'beginInstall',
                  after: {
                    stage: [
                      {
                        // 1.13 LifecycleService: the live install failed before anything was drained or
                        // rebooted; talosctl stops there, with no reboot (F§3). The node keeps running.
                        guard: ({ context }) =>
                          (context.bootFull || context.installFailure !== null) &&
                          nodeRules(context) === 'talos-1.13',
                        target: '#node.running.activity.idle',
                        actions: [
                          'installFailed',
                          emit({
                            type: 'upgrade.step',
                            step: 'stopped',
                            detail: 'live install failed: no reboot',
                          }),
                          assign({ upgrade: null }),
                        ],
                      },
                      {
                        // BOOT partition full: writing the inactive slot fails (T#12551); a fatal error of the
                        // upgrade reboots the node on its current slot (no tag 6 was written yet).
                        guard: 'installFails',
                        target: '#node.bootFailed',
                        actions: 'installFailed',
                      },
                      { guard: 'liveInstallFirst', target: 'cordon', actions: 'flipToNewSlot' },
                      { target: '#node.rebooting', actions: 'flipToNewSlot' },
                    ],
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});

export type NodeMachine = typeof nodeMachine;

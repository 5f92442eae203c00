// The slot state of a node (node-api.ts SlotState) from its model's context: what a simulated node answers
// to Lab.SlotState. An agent answers with the same shape but reads the slots, the bootloader and META from
// its folders (sim/remote/agent/disk.ts), so a disk that disagrees with its model shows.
import type { BootFault, Disk } from '../../models/types.js';
import type { SlotState } from './node-api.js';

export interface SlotStateSource {
  version: string | null;
  bootedSlot: Disk['bootloader']['default'] | null;
  disk: Disk;
  bootFaults: readonly BootFault[];
}

/** A copy: the caller may keep it while the model moves on. */
export function slotStateOf(state: string, c: SlotStateSource): SlotState {
  const d = c.disk;
  return {
    state,
    version: c.version,
    bootedSlot: c.bootedSlot,
    slots: {
      A: d.boot.A ? { version: d.boot.A.version, intact: d.boot.A.intact } : null,
      B: d.boot.B ? { version: d.boot.B.version, intact: d.boot.B.intact } : null,
    },
    bootloader: { default: d.bootloader.default, fallback: d.bootloader.fallback },
    meta: d.meta
      ? {
          upgradeFallback: d.meta.upgradeFallback,
          staged: d.meta.staged ? { ...d.meta.staged } : null,
          tentative: d.meta.tentative,
          triesLeft: d.meta.triesLeft,
        }
      : null,
    bootFaults: c.bootFaults.map((f) => ({ version: f.version, stage: f.stage, remaining: f.remaining })),
  };
}

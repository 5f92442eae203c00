// failedBoot — breaks: booting one image version on one node. `kernel`: a panic before init (Talos does
// not cover it; the machine reboots through firmware and the bootloader picks again). `init`: a fatal error
// of the boot sequence (Talos reverts to the previous slot if META tag 6 is set: one try). `powercycle`:
// firmware/GRUB cannot load the image while a kexec reboot still can (T#11909).
// Stands for: a bad kernel, a broken initramfs, a driver regression on this hardware.
// A correct cluster recovers by rolling the node back to the previous slot within the bootloader
// profile's tries (F§2); the `rollback` invariant checks that.
import type { BootFailStage } from '../../models/types.js';
import type { FaultContext } from './registry.js';

export function failedBoot(
  ctx: FaultContext,
  node: string,
  version: string,
  stage: BootFailStage,
  times: number | null,
  random = false,
): void {
  const detail = `${version} fails at ${stage} ${times === null ? 'always' : `${times} time(s)`}`;
  ctx.registry.begin(
    ctx.scheduler,
    // A bad image takes nothing out by itself: the upgrade that installs it does.
    { type: 'failedBoot', node, detail, takesOut: [], random },
    null,
    () => ctx.world.injectBootFault(node, { version, stage, remaining: 0 }),
  );
  if (ctx.registry.stopped) return;
  ctx.world.injectBootFault(node, { version, stage, remaining: times });
}

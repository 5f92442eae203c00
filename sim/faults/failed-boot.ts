// failedBoot — breaks: booting one image version on one node (F§2). `kernel`: a panic before init (Talos
// does not cover it; CONFIG_PANIC_TIMEOUT=-1 reboots through firmware at once and the bootloader picks
// again). `hang`: the kernel or initramfs never reaches init, and nothing reboots the machine until it is
// power cycled. `initramfs`: the initramfs `init` fails and reboots through firmware after 10 s, before
// machined could revert anything. `init`: a fatal error of machined's boot sequence (Talos reverts to the
// previous slot if META tag 6 is set, waits 10 s and reboots through firmware: one try). `powercycle`:
// firmware/bootloader cannot load the image while a kexec reboot still can (T#11909).
// Stands for: a bad kernel, a broken initramfs, a driver regression on this hardware.
// A correct cluster recovers by rolling the node back to the previous slot within the bootloader
// profile's tries (F§2); the `rollback` invariant checks that. A hang is recovered only by a power cycle:
// when the fault ends (the liveness phase), a node it left hung is power cycled, as an operator or a
// hardware watchdog would.
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
    () => {
      ctx.world.injectBootFault(node, { version, stage, remaining: 0 });
      if (stage === 'hang' && ctx.world.node(node).state === 'hung') {
        ctx.world.powerLoss(node);
        ctx.world.powerOn(node);
      }
    },
  );
  if (ctx.registry.stopped) return;
  ctx.world.injectBootFault(node, { version, stage, remaining: times });
}

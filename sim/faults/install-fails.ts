// installFails — breaks: the installer of one node before it writes anything, e.g. the installer image
// pull times out (the reason is free text and appears in the trace).
// Stands for: T#10364, where the upgrade timed out pulling its image and the node was rebooted.
// A correct cluster recovers: nothing was written and the bootloader still points at the running slot,
// so the node reboots on its current version and the orchestrator sees a failed upgrade. (Older Talos
// switched the bootloader before writing; the `flip-before-write` quirk reproduces what that did.)
import type { FaultContext } from './registry.js';

export function installFails(
  ctx: FaultContext,
  node: string,
  reason: string,
  durationMs: number | null,
): void {
  ctx.registry.condition(ctx.scheduler, { type: 'installFails', node, detail: reason }, durationMs, (on) =>
    ctx.world.setInstallFailure(node, on ? reason : null),
  );
}

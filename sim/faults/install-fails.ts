// installFails — breaks: the installer that an accepted upgrade sequence runs, before it writes anything
// (the reason is free text and appears in the trace), e.g. its pull of the image times out after the
// node's services were stopped.
// Stands for: T#10364, where the Upgrade call was accepted (it returned in 6.7 ms), the upgrade then timed
// out and the node was rebooted. A failure of the Upgrade *handler's* image pull is a refused request
// instead (F§3) and is the `imagePullFails` fault.
// A correct cluster recovers: nothing was written and the bootloader still points at the running slot,
// so the node reboots on its current version and the orchestrator sees a failed upgrade. (Older Talos
// switched the bootloader before writing; the `flip-before-write` quirk reproduces what that did.)
import { nodeConditionReasonKind, type FaultKind, type NodeConditionReasonSpec } from './kind.js';

export type InstallFailsSpec = NodeConditionReasonSpec<'installFails'>;

export const installFailsKind: FaultKind<InstallFailsSpec> = nodeConditionReasonKind(
  'installFails',
  'installer: pulling the installer image timed out',
  (ctx, node, reason) => ctx.world.setInstallFailure(node, reason),
);

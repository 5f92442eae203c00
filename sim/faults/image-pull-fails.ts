// imagePullFails — breaks: the Upgrade handler's pull of the installer image on one node (a registry that
// is down or unreachable, a tag that does not exist, a pull that times out). The reason is free text and
// appears in the refusal, after Talos's own prefix ("error validating installer image %q: ...").
// Stands for: an upgrade request that fails at once, before anything happens (e.g. a factory image tag
// that was never published). The handler pulls and validates the image inside the API call, before the
// upgrade mutex, the pre-checks and the sequence (F§3), so the request is refused with a definite error:
// no cordon, no drain, no etcd leave, no slot write, no reboot.
// A correct cluster is untouched: the node keeps running its version, and the orchestrator sees a refused
// request and retries or gives up per its policy. (A failure of the installer that the accepted sequence
// runs is `installFails`, which does reboot the node.)
import { nodeConditionReasonKind, type FaultKind, type NodeConditionReasonSpec } from './kind.js';

export type ImagePullFailsSpec = NodeConditionReasonSpec<'imagePullFails'>;

/** containerd's words for a pull that did not finish in time. */
export const IMAGE_PULL_TIMEOUT = 'context deadline exceeded';

export const imagePullFailsKind: FaultKind<ImagePullFailsSpec> = nodeConditionReasonKind(
  'imagePullFails',
  IMAGE_PULL_TIMEOUT,
  (ctx, node, reason) => ctx.world.setImagePullFailure(node, reason),
);

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
import { schemaRef, type FaultKind } from './kind.js';
import type { FaultContext } from './registry.js';

export interface ImagePullFailsSpec {
  type: 'imagePullFails';
  atMs: number;
  node: string;
  reason: string;
  /** null: until the liveness phase. */
  durationMs: number | null;
}

/** containerd's words for a pull that did not finish in time. */
export const IMAGE_PULL_TIMEOUT = 'context deadline exceeded';

export function imagePullFails(
  ctx: FaultContext,
  node: string,
  reason: string,
  durationMs: number | null,
): void {
  ctx.registry.condition(ctx.scheduler, { type: 'imagePullFails', node, detail: reason }, durationMs, (on) =>
    ctx.world.setImagePullFailure(node, on ? reason : null),
  );
}

export const imagePullFailsKind: FaultKind<ImagePullFailsSpec> = {
  type: 'imagePullFails',
  required: ['node'],
  properties: {
    node: schemaRef('nodeName'),
    reason: { type: 'string', minLength: 1 },
    duration: schemaRef('duration'),
  },
  parse: (raw, atMs, p) => ({
    type: 'imagePullFails',
    atMs,
    node: p.node(raw.node, [...p.path, 'node']),
    reason: typeof raw.reason === 'string' ? raw.reason : IMAGE_PULL_TIMEOUT,
    durationMs: p.durationMs(raw.duration) ?? null,
  }),
  inject: (ctx, f) => imagePullFails(ctx, f.node, f.reason, f.durationMs),
};

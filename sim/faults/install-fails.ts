// installFails — breaks: the installer that an accepted upgrade sequence runs, before it writes anything
// (the reason is free text and appears in the trace), e.g. its pull of the image times out after the
// node's services were stopped.
// Stands for: T#10364, where the Upgrade call was accepted (it returned in 6.7 ms), the upgrade then timed
// out and the node was rebooted. A failure of the Upgrade *handler's* image pull is a refused request
// instead (F§3) and is the `imagePullFails` fault.
// A correct cluster recovers: nothing was written and the bootloader still points at the running slot,
// so the node reboots on its current version and the orchestrator sees a failed upgrade. (Older Talos
// switched the bootloader before writing; the `flip-before-write` quirk reproduces what that did.)
import { schemaRef, type FaultKind } from './kind.js';
import type { FaultContext } from './registry.js';

export interface InstallFailsSpec {
  type: 'installFails';
  atMs: number;
  node: string;
  reason: string;
  /** null: until the liveness phase. */
  durationMs: number | null;
}

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

export const installFailsKind: FaultKind<InstallFailsSpec> = {
  type: 'installFails',
  required: ['node'],
  properties: {
    node: schemaRef('nodeName'),
    reason: { type: 'string', minLength: 1 },
    duration: schemaRef('duration'),
  },
  parse: (raw, atMs, p) => ({
    type: 'installFails',
    atMs,
    node: p.node(raw.node, [...p.path, 'node']),
    reason: typeof raw.reason === 'string' ? raw.reason : 'installer: pulling the installer image timed out',
    durationMs: p.durationMs(raw.duration) ?? null,
  }),
  inject: (ctx, f) => installFails(ctx, f.node, f.reason, f.durationMs),
};

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
import { BOOT_FAIL_STAGES, type BootFailStage } from '../../models/types.js';
import { schemaRef, type FaultKind } from './kind.js';
import type { FaultContext } from './registry.js';

export interface FailedBootSpec {
  type: 'failedBoot';
  atMs: number;
  node: string;
  version: string;
  stage: BootFailStage;
  times: number | null;
}

// The stages are listed once, in models/types.ts (the type is derived from that list).
const stageSchema = { type: 'string', enum: [...BOOT_FAIL_STAGES] };

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

export const failedBootKind: FaultKind<FailedBootSpec, { stage: BootFailStage }> = {
  type: 'failedBoot',
  required: ['node'],
  properties: {
    node: schemaRef('nodeName'),
    version: schemaRef('version'),
    stage: stageSchema,
    times: schemaRef('times'),
  },
  parse: (raw, atMs, p) => {
    const version = typeof raw.version === 'string' ? raw.version : p.upgradeTo;
    if (version === null && raw.version === undefined)
      p.problem([...p.path, 'version'], 'is required when the scenario has no upgrade');
    // A version no node ever boots would make the fault do nothing.
    if (version !== null && p.versions.length > 0 && !p.versions.includes(version))
      p.problem(
        raw.version === undefined ? p.path : [...p.path, 'version'],
        `no node ever boots ${version} (versions in this scenario: ${p.versions.join(', ')})`,
      );
    return {
      type: 'failedBoot',
      atMs,
      node: p.node(raw.node, [...p.path, 'node']),
      version: version ?? '',
      stage: typeof raw.stage === 'string' ? (raw.stage as BootFailStage) : 'init',
      times: p.times(raw.times),
    };
  },
  inject: (ctx, f) => failedBoot(ctx, f.node, f.version, f.stage, f.times),
  random: {
    key: 'failedBoot',
    required: [],
    properties: { stage: stageSchema },
    parse: (raw, p) => {
      // It fails the upgrade's target: without an upgrade no node ever boots it, and the key would do nothing.
      if (p.upgradeTo === null)
        p.problem(
          p.path,
          "a random failedBoot fails the boot of the upgrade's target version, and this scenario has no " +
            "'upgrade': it would never happen (give an upgrade, or a scheduled failedBoot with a version)",
          true,
        );
      return { stage: typeof raw.stage === 'string' ? (raw.stage as BootFailStage) : 'init' };
    },
    // A random bad image is the upgrade's target: one failed boot of it on this node.
    fire: (ctx, node, r, _stream, targetVersion) => {
      if (targetVersion !== null) failedBoot(ctx, node, targetVersion, r.stage, 1, true);
    },
  },
};

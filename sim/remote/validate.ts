// Request validation for the node service: every request is checked before it reaches a NodeApi, and a bad
// one gets INVALID_ARGUMENT with a message naming the field (proto/PROTOCOL.md). Pure functions: they
// return the decoded call or an error string, and never throw on anything a client can send.
import type { BootFailStage, RebootMode } from '../../models/types.js';
import type { ResetOptions, UpgradeOptions, WipeLabel } from '../api/node-api.js';
import { VERSION_PATTERN } from '../scenario/schema.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const VERSION_RE = new RegExp(VERSION_PATTERN);
/** Longest image reference accepted (docker's own limit on a reference is 255 for the name part). */
export const IMAGE_REF_MAX = 512;
/** Longest node name accepted (a DNS label set). */
export const NODE_NAME_MAX = 253;
/** `[registry[:port]/]path/name:tag`, lower-case name components as the OCI distribution spec says. */
const IMAGE_RE =
  /^(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d{1,5})?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*:([\w][\w.+-]{0,127})$/;

export const WIPE_LABELS: readonly WipeLabel[] = ['EPHEMERAL', 'STATE', 'META', 'BOOT', 'all'];
const PARTITION_LABELS = ['EPHEMERAL', 'STATE', 'META', 'BOOT'] as const;
const BOOT_FAIL_STAGES: readonly BootFailStage[] = ['kernel', 'init', 'powercycle'];

function fail<T>(error: string): Checked<T> {
  return { ok: false, error };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** The version an installer image installs: the tag of the reference, which must be a Talos version. */
export function versionOfImage(image: unknown): Checked<string> {
  if (typeof image !== 'string' || image.length === 0)
    return fail('image: required (e.g. ghcr.io/siderolabs/installer:v1.8.0)');
  if (image.length > IMAGE_REF_MAX) return fail(`image: longer than ${IMAGE_REF_MAX} characters`);
  const m = IMAGE_RE.exec(image);
  if (!m)
    return fail(
      `image: malformed image reference ${JSON.stringify(image.slice(0, 80))} (want [registry/]name:tag)`,
    );
  const tag = m[1]!;
  if (!VERSION_RE.test(tag))
    return fail(`image: tag ${JSON.stringify(tag)} is not a Talos version (want vX.Y.Z)`);
  return { ok: true, value: tag };
}

/** The installer image reference the client sends for a version (what talosctl's --image would carry). */
export function imageOfVersion(version: string): string {
  return VERSION_RE.test(version) ? `ghcr.io/siderolabs/installer:${version}` : version;
}

export function checkNode(node: unknown, known: readonly string[]): Checked<string> {
  if (typeof node !== 'string' || node.length === 0) {
    if (known.length === 1) return { ok: true, value: known[0]! };
    return fail(
      `node: required (set gRPC metadata "node" or the request field) — one of ${known.join(', ')}`,
    );
  }
  if (node.length > NODE_NAME_MAX) return fail(`node: longer than ${NODE_NAME_MAX} characters`);
  if (!known.includes(node))
    return fail(
      `node: unknown node ${JSON.stringify(node.slice(0, 64))} (this server serves ${known.join(', ')})`,
    );
  return { ok: true, value: node };
}

function rebootMode(v: unknown, field: string): Checked<RebootMode> {
  if (v === 'DEFAULT' || v === 0 || v === undefined) return { ok: true, value: 'kexec' };
  if (v === 'POWERCYCLE' || v === 1) return { ok: true, value: 'powercycle' };
  return fail(`${field}: unknown mode ${JSON.stringify(v)} (want DEFAULT or POWERCYCLE)`);
}

export function checkUpgrade(req: unknown): Checked<UpgradeOptions> {
  if (!isObject(req)) return fail('request: not a message');
  const v = versionOfImage(req.image);
  if (!v.ok) return v;
  const mode = rebootMode(req.reboot_mode, 'reboot_mode');
  if (!mode.ok) return mode;
  return {
    ok: true,
    value: {
      image: v.value,
      preserve: req.preserve === true,
      stage: req.stage === true,
      force: req.force === true,
      rebootMode: mode.value,
    },
  };
}

export function checkReboot(req: unknown): Checked<RebootMode> {
  if (!isObject(req)) return fail('request: not a message');
  return rebootMode(req.mode, 'mode');
}

/** Talos reset: an empty partition list means "wipe everything" (machine.proto ResetRequest). */
export function checkReset(req: unknown): Checked<ResetOptions> {
  if (!isObject(req)) return fail('request: not a message');
  const mode = req.mode ?? 'ALL';
  if (mode === 'USER_DISKS' || mode === 2) return fail('mode: USER_DISKS: lab nodes have no user disks');
  if (mode !== 'ALL' && mode !== 'SYSTEM_DISK' && mode !== 0 && mode !== 1)
    return fail(`mode: unknown wipe mode ${JSON.stringify(mode)} (want ALL or SYSTEM_DISK)`);
  const disks = req.user_disks_to_wipe;
  if (Array.isArray(disks) && disks.length > 0)
    return fail('user_disks_to_wipe: lab nodes have no user disks');
  if (req.reboot !== true)
    return fail(
      'reboot: must be true (a reset that halts the machine is not modelled; the lab node reboots)',
    );
  const specs = Array.isArray(req.system_partitions_to_wipe) ? req.system_partitions_to_wipe : [];
  if (specs.length > PARTITION_LABELS.length)
    return fail(`system_partitions_to_wipe: at most ${PARTITION_LABELS.length} entries`);
  const labels: WipeLabel[] = [];
  for (const [i, s] of specs.entries()) {
    if (!isObject(s)) return fail(`system_partitions_to_wipe[${i}]: not a message`);
    const label = s.label;
    if (typeof label !== 'string' || !(PARTITION_LABELS as readonly string[]).includes(label))
      return fail(
        `system_partitions_to_wipe[${i}].label: unknown label ${JSON.stringify(String(label).slice(0, 32))} (want one of ${PARTITION_LABELS.join(', ')})`,
      );
    if (s.wipe !== true)
      return fail(`system_partitions_to_wipe[${i}].wipe: must be true (a listed label is wiped)`);
    if (labels.includes(label as WipeLabel))
      return fail(`system_partitions_to_wipe[${i}].label: ${label} listed twice`);
    labels.push(label as WipeLabel);
  }
  return {
    ok: true,
    value: { graceful: req.graceful === true, labels: labels.length === 0 ? ['all'] : labels },
  };
}

/** uint64 member ids arrive as decimal strings (proto-loader `longs: String`). */
export function checkMemberId(req: unknown): Checked<bigint> {
  if (!isObject(req)) return fail('request: not a message');
  const raw = req.member_id;
  if ((typeof raw !== 'string' && typeof raw !== 'number') || !/^\d{1,20}$/.test(String(raw)))
    return fail(`member_id: not a uint64 (${JSON.stringify(raw)})`);
  const id = BigInt(raw);
  if (id === 0n || id > 0xffffffffffffffffn) return fail('member_id: must be a non-zero uint64');
  return { ok: true, value: id };
}

export function checkWipeLabel(v: unknown): Checked<WipeLabel> {
  if (typeof v === 'string' && (WIPE_LABELS as readonly string[]).includes(v))
    return { ok: true, value: v as WipeLabel };
  return fail(
    `label: unknown label ${JSON.stringify(String(v).slice(0, 32))} (want one of ${WIPE_LABELS.join(', ')})`,
  );
}

export function checkFailNextBoot(req: unknown): Checked<{ version: string; stage: BootFailStage }> {
  if (!isObject(req)) return fail('request: not a message');
  if (typeof req.version !== 'string' || !VERSION_RE.test(req.version))
    return fail(
      `version: ${JSON.stringify(String(req.version).slice(0, 32))} is not a Talos version (want vX.Y.Z)`,
    );
  if (typeof req.stage !== 'string' || !(BOOT_FAIL_STAGES as readonly string[]).includes(req.stage))
    return fail(
      `stage: unknown stage ${JSON.stringify(String(req.stage).slice(0, 32))} (want one of ${BOOT_FAIL_STAGES.join(', ')})`,
    );
  return { ok: true, value: { version: req.version, stage: req.stage as BootFailStage } };
}

/**
 * Member ids on the wire are uint64 (Talos, etcd). The simulator names members `m<N>`; real etcd prints them
 * as hex. Both map to one number, so a client can name a member it saw in either form.
 */
export function memberIdToWire(id: string): bigint | null {
  if (/^m\d{1,19}$/.test(id)) return BigInt(id.slice(1));
  if (/^[0-9a-f]{1,16}$/i.test(id)) return BigInt(`0x${id}`);
  return null;
}

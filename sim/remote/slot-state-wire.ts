// Lab.SlotState on the wire (proto/lab/v1/lab.proto): the NodeApi's SlotState to the proto message and back.
// The decoder checks every field it reads, so a malformed reply is an error value, never a wrong state.
import {
  BOOT_FAIL_STAGES,
  type BootFailStage,
  type BootFault,
  type Meta,
  type SlotImage,
  type SlotLabel,
} from '../../models/types.js';
import type { SlotState } from '../api/node-api.js';

type Raw = Record<string, unknown>;

const image = (i: SlotImage | null) => (i ? { version: i.version, intact: i.intact } : null);

export function slotStateToWire(node: string, s: SlotState): Raw {
  const m = s.meta;
  return {
    node,
    state: s.state,
    version: s.version ?? '',
    booted_slot: s.bootedSlot ?? '',
    slot_a: image(s.slots.A),
    slot_b: image(s.slots.B),
    bootloader_default: s.bootloader.default,
    bootloader_fallback: s.bootloader.fallback ?? '',
    meta: m
      ? {
          upgrade_fallback: m.upgradeFallback ?? '',
          staged_version: m.staged?.version ?? '',
          staged_preserve: m.staged?.preserve ?? false,
          tentative: m.tentative ?? '',
          tries_left: m.triesLeft ?? -1,
        }
      : null,
    boot_faults: s.bootFaults.map((f) => ({
      version: f.version,
      stage: f.stage,
      remaining: f.remaining ?? -1,
    })),
  };
}

function label(v: unknown, field: string, emptyOk: true): SlotLabel | null;
function label(v: unknown, field: string, emptyOk: false): SlotLabel;
function label(v: unknown, field: string, emptyOk: boolean): SlotLabel | null {
  if (v === 'A' || v === 'B') return v;
  if (emptyOk && (v === '' || v === undefined || v === null)) return null;
  throw new Error(`${field}: want A or B, got ${JSON.stringify(v)}`);
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new Error(`${field}: want a string, got ${JSON.stringify(v)}`);
  return v;
}

function decodeImage(v: unknown, field: string): SlotImage | null {
  if (v === null || v === undefined) return null;
  const r = v as Raw;
  return { version: str(r.version, `${field}.version`), intact: r.intact === true };
}

function decodeMeta(v: unknown): Meta | null {
  if (v === null || v === undefined) return null;
  const r = v as Raw;
  const tentative = r.tentative;
  if (tentative !== '' && tentative !== 'armed' && tentative !== 'tried')
    throw new Error(`meta.tentative: want armed, tried or empty, got ${JSON.stringify(tentative)}`);
  const tries = Number(r.tries_left);
  const staged = str(r.staged_version, 'meta.staged_version');
  return {
    upgradeFallback: label(r.upgrade_fallback, 'meta.upgrade_fallback', true),
    staged: staged === '' ? null : { version: staged, preserve: r.staged_preserve === true },
    tentative: tentative === '' ? null : tentative,
    triesLeft: tries < 0 ? null : tries,
  };
}

function decodeFault(v: unknown, i: number): BootFault {
  const r = v as Raw;
  const stage = r.stage;
  if (!BOOT_FAIL_STAGES.includes(stage as BootFailStage))
    throw new Error(`boot_faults[${i}].stage: unknown stage ${JSON.stringify(stage)}`);
  const remaining = Number(r.remaining);
  return {
    version: str(r.version, `boot_faults[${i}].version`),
    stage: stage as BootFailStage,
    remaining: remaining < 0 ? null : remaining,
  };
}

/** Throws on a malformed message (the client turns that into an indefinite error value). */
export function slotStateFromWire(r: Raw): SlotState {
  const version = str(r.version, 'version');
  return {
    state: str(r.state, 'state'),
    version: version === '' ? null : version,
    bootedSlot: label(r.booted_slot, 'booted_slot', true),
    slots: { A: decodeImage(r.slot_a, 'slot_a'), B: decodeImage(r.slot_b, 'slot_b') },
    bootloader: {
      default: label(r.bootloader_default, 'bootloader_default', false),
      fallback: label(r.bootloader_fallback, 'bootloader_fallback', true),
    },
    meta: decodeMeta(r.meta),
    bootFaults: (Array.isArray(r.boot_faults) ? r.boot_faults : []).map(decodeFault),
  };
}

// Which Talos version's rules apply to what (F§3): the *running* node's machined runs the API handler, the
// pre-checks and the upgrade sequence, so its version picks the sequence rules; the *target* version's
// installer only does the disk work, so the target decides whether EPHEMERAL can still be wiped (installers
// from 1.8 on refuse: "system disk wipe on upgrade is not supported anymore").
import type { TalosProfile } from './types.js';

export interface TalosVersion {
  major: number;
  minor: number;
  patch: number;
}

/** Parse `v1.7.6` / `1.8.0` / `v1.13.0-beta.1`; null when the text is not a Talos release version. */
export function parseTalosVersion(text: string): TalosVersion | null {
  const m = /^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?(?:[-+][0-9A-Za-z.-]*)?$/.exec(text);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

function atLeast(v: TalosVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/**
 * The rules a node running `version` follows (F§3): up to 1.7 the sequence leaves etcd and asks for a wipe
 * unless preserve; 1.8 to 1.12 never leave; from 1.13 talosctl uses the LifecycleService (live install, no
 * etcd pre-checks, client-side drain). A node older than 1.13 has no LifecycleService, so talosctl 1.13
 * falls back to the legacy Upgrade call with its pre-checks: that is the 1.8 rule set.
 * Null when `version` is not a Talos version (only toy scenarios with an explicit `profile` use those).
 */
export function rulesForVersion(version: string): TalosProfile | null {
  const v = parseTalosVersion(version);
  if (!v) return null;
  if (atLeast(v, 1, 13)) return 'talos-1.13';
  if (atLeast(v, 1, 8)) return 'talos-1.8';
  return 'talos-1.7';
}

/**
 * Whether the installer of `targetVersion` still wipes EPHEMERAL when asked (preserve=false): only
 * installers before 1.8 do (F§1, F§3). For a non-Talos version the rule set `fallback` decides.
 */
export function installerWipes(targetVersion: string, fallback: TalosProfile | null): boolean {
  const v = parseTalosVersion(targetVersion);
  if (v) return !atLeast(v, 1, 8);
  return fallback === 'talos-1.7';
}

/**
 * The rule set of a running node: the scenario's explicit `profile` override if any, else the running
 * version's. A non-Talos version without an override is a bug: the loader refuses such scenarios.
 */
export function sequenceRules(runningVersion: string, override: TalosProfile | null): TalosProfile {
  if (override !== null) return override;
  const rules = rulesForVersion(runningVersion);
  if (rules === null) {
    throw new Error(
      `sequenceRules: '${runningVersion}' is not a Talos version and no profile override is set`,
    );
  }
  return rules;
}

// The two upgrade policies every experiment can compare (DESIGN.md, orchestrator): `talosctl` behaves like
// `talosctl upgrade` driven node by node with a health gate, `naive` upgrades everything at once and
// carries on regardless. A scenario names a preset and may override single fields of it.
import { MAX_WORKERS } from './limits.js';
import type { UpgradePolicy } from './types.js';

export type PolicyPresetName = 'talosctl' | 'naive';

export const POLICY_PRESET_NAMES: readonly PolicyPresetName[] = ['talosctl', 'naive'];

const MINUTE_MS = 60_000;

const talosctl: UpgradePolicy = {
  order: 'controlplane-first',
  explicitOrder: [],
  parallel: 1,
  healthGate: true,
  preserve: false,
  stage: false,
  force: false,
  rebootMode: 'kexec',
  retries: 0,
  nodeTimeoutMs: 30 * MINUTE_MS,
  healthTimeoutMs: 30 * MINUTE_MS,
  onFailure: 'halt',
  etcdRejoin: 'learner',
};

// `parallel: 100` stands for "all at once": it exceeds any node count a scenario can declare per role.
const naive: UpgradePolicy = {
  ...talosctl,
  explicitOrder: [],
  // Every node of a role at once, whatever the cluster's size (the schema's bound on `parallel`).
  parallel: MAX_WORKERS,
  healthGate: false,
  onFailure: 'continue',
};

export const POLICY_PRESETS: Readonly<Record<PolicyPresetName, Readonly<UpgradePolicy>>> = Object.freeze({
  talosctl: Object.freeze(talosctl),
  naive: Object.freeze(naive),
});

/** A fresh, mutable copy of a preset (the explicit order list is copied too). */
export function policyFromPreset(name: PolicyPresetName): UpgradePolicy {
  const p = POLICY_PRESETS[name];
  return { ...p, explicitOrder: [...p.explicitOrder] };
}

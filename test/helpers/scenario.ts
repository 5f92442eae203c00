// Test helpers: build scenarios from YAML text through the real loader, so tests exercise the same path
// as scenario files.
import { parseScenario } from '../../sim/scenario/load.js';
import type { Scenario } from '../../sim/scenario/types.js';

/** A 3+2 cluster upgrading v1.7.6 -> v1.8.0 at 5m under talos-1.8; `extra` is appended YAML. */
export function baseYaml(
  opts: { cps?: number; workers?: number; policy?: string; to?: string; profile?: string } = {},
): string {
  return [
    'name: test',
    'seed: 1',
    'duration: 2h',
    `profile: ${opts.profile ?? 'talos-1.8'}`,
    'bootloader: talos',
    'cluster:',
    `  controlPlanes: ${opts.cps ?? 3}`,
    `  workers: ${opts.workers ?? 2}`,
    '  version: v1.7.6',
    'upgrade:',
    `  to: ${opts.to ?? 'v1.8.0'}`,
    '  at: 5m',
    `  policy: ${opts.policy ?? 'talosctl'}`,
    '',
  ].join('\n');
}

export function scenario(yaml: string, file = 'test.yaml'): Scenario {
  return parseScenario(yaml, file);
}

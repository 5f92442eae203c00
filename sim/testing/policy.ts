// A fast-check arbitrary of upgrade policies, in the scenario file's own words (`upgrade.policy`).
// Shrinks towards the talosctl-like preset: one node at a time, health gate on, no retries, halt.
import fc from 'fast-check';

export type PolicyDraw = {
  preset: 'talosctl';
  order: 'controlplane-first' | 'workers-first';
  parallel: number;
  healthGate: boolean;
  preserve: boolean;
  stage: boolean;
  rebootMode: 'kexec' | 'powercycle';
  retries: number;
  onFailure: 'halt' | 'skip' | 'continue';
};

export interface PolicyOptions {
  maxParallel?: number;
  maxRetries?: number;
  /** Draw the health gate off too (default true: both). */
  allowNoHealthGate?: boolean;
}

export function policyArb(options: PolicyOptions = {}): fc.Arbitrary<PolicyDraw> {
  const maxParallel = options.maxParallel ?? 3;
  const maxRetries = options.maxRetries ?? 2;
  if (maxParallel < 1 || maxRetries < 0)
    throw new RangeError('policyArb: need maxParallel >= 1, maxRetries >= 0');
  return fc.record({
    preset: fc.constant('talosctl' as const),
    order: fc.constantFrom('controlplane-first' as const, 'workers-first' as const),
    parallel: fc.integer({ min: 1, max: maxParallel }),
    healthGate: options.allowNoHealthGate === false ? fc.constant(true) : fc.boolean().map((b) => !b),
    preserve: fc.boolean(),
    stage: fc.boolean(),
    rebootMode: fc.constantFrom('kexec' as const, 'powercycle' as const),
    retries: fc.integer({ min: 0, max: maxRetries }),
    onFailure: fc.constantFrom('halt' as const, 'skip' as const, 'continue' as const),
  });
}

// The registered list of fault kinds (sim/faults/index.ts) on its own: lookup by type, the spec/kind check
// that guards `inject`, and the registration order that random arrivals draw in. Found missing by mutation
// testing (issue 7).
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, faultKind, injectFault, RANDOM_FAULT_KINDS } from '../../../sim/faults/index.js';
import type { FaultSpec } from '../../../sim/faults/index.js';
import { faultWorld } from '../../helpers/fault-world.js';

describe('fault kind lookup and injection', () => {
  it('faultKind finds a registered type and nothing else', () => {
    expect(faultKind('powerLoss')?.type).toBe('powerLoss');
    expect(faultKind('meteor')).toBeUndefined();
    expect(faultKind(7)).toBeUndefined();
    expect(faultKind(undefined)).toBeUndefined();
  });

  it('the registration order, which is the order random arrivals draw in', () => {
    expect(FAULT_KINDS.map((k) => k.type)).toEqual([
      'powerLoss',
      'partition',
      'failedBoot',
      'diskWipe',
      'bootPartitionFull',
      'etcdLeaveFails',
      'installFails',
      'busyMounts',
      'etcdRemoveMember',
      'imagePullFails',
    ]);
    expect(RANDOM_FAULT_KINDS.map((k) => k.random!.key)).toEqual(['powerLoss', 'isolate', 'failedBoot']);
    expect(FAULT_KINDS.find((k) => k.type === 'diskWipe')!.random).toBeUndefined();
    expect(Object.keys(FAULT_KINDS.find((k) => k.type === 'diskWipe')!)).not.toContain('random');
  });

  it('injectFault hands the spec to its kind; an unregistered type or a spec of another kind is a bug', () => {
    const w = faultWorld(['cp1', 'cp2', 'cp3']);
    injectFault(w.ctx, { type: 'diskWipe', atMs: 0, node: 'cp1', label: 'META' });
    expect(w.calls).toEqual(['0 wipe "cp1" "META"']);
    expect(() => injectFault(w.ctx, { type: 'meteor', atMs: 0 } as unknown as FaultSpec)).toThrow(
      "no fault kind registered for 'meteor'",
    );
    const wipe = faultKind('diskWipe')!;
    expect(() =>
      wipe.inject(w.ctx, { type: 'powerLoss', atMs: 0, node: 'cp1', durationMs: 1 } as FaultSpec),
    ).toThrow('fault kind diskWipe given a powerLoss spec');
    expect(w.calls).toHaveLength(1);
  });

  it('a registered parse is the kind own parse', () => {
    const kind = faultKind('diskWipe')!;
    const problems: string[] = [];
    const spec = kind.parse({ node: 'cp1', label: 'BOOT' }, 42, {
      path: ['faults', 0],
      problem: (_p, m) => problems.push(m),
      node: (v) => String(v),
      durationMs: () => undefined,
      range: () => undefined,
      times: () => 1,
      nodeNames: ['cp1'],
      controlPlanes: new Set(['cp1']),
      nodesKnown: true,
      upgradeTo: null,
      versions: [],
    });
    expect(spec).toEqual({ type: 'diskWipe', atMs: 42, node: 'cp1', label: 'BOOT' });
    expect(problems).toEqual([]);
    const random = faultKind('powerLoss')!.random!;
    expect(random.required).toEqual(['duration']);
    expect(Object.keys(random.properties)).toEqual(['duration']);
  });
});

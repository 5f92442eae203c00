// The slot invariants of a mixed run (sim/remote/mixed/slot-invariants.ts) follow the simulated run's rules
// (F§2): bootable from the slots a node's disk holds and the boot faults, rollback as a deadline after a
// failed boot, version-skew over running nodes; each fires once per episode and can fail.
import { describe, expect, it } from 'vitest';
import type { SlotState } from '../../../../sim/api/node-api.js';
import type { InvariantName } from '../../../../sim/scenario/types.js';
import { SlotInvariants } from '../../../../sim/remote/mixed/slot-invariants.js';

const ALL = new Set<InvariantName>(['bootable', 'rollback', 'version-skew']);
const BOUND_MS = 10_000;

function sample(over: Partial<SlotState> = {}): SlotState {
  return {
    state: 'running',
    version: 'v1.9.0',
    bootedSlot: 'A',
    slots: { A: { version: 'v1.9.0', intact: true }, B: null },
    bootloader: { default: 'A', fallback: null },
    meta: { upgradeFallback: null, staged: null, tentative: null, triesLeft: null },
    bootFaults: [],
    ...over,
  };
}

describe('mixed-run slot invariants', () => {
  it('bootable: a node whose disk holds no slot that boots is caught once, and clears', () => {
    const inv = new SlotInvariants(['cp1', 'cp2'], ALL, BOUND_MS);
    expect(inv.onSample('cp1', sample(), 0)).toEqual([]);
    const torn = sample({ slots: { A: { version: 'v1.9.0', intact: false }, B: null } });
    expect(inv.onSample('cp1', torn, 100)).toEqual([
      {
        invariant: 'bootable',
        nodes: ['cp1'],
        message: 'cp1 has no slot that can boot (A=v1.9.0(torn) B=empty, as its disk reads)',
      },
    ]);
    // Still broken, and another node breaks too: the same episode.
    expect(inv.onSample('cp1', torn, 200)).toEqual([]);
    expect(inv.onSample('cp2', sample({ slots: { A: null, B: null } }), 200)).toEqual([]);
    expect(inv.onSample('cp1', sample(), 300)).toEqual([]);
    expect(inv.onSample('cp2', sample(), 300)).toEqual([]);
    // A new episode is reported again.
    expect(inv.onSample('cp2', sample({ slots: { A: null, B: null } }), 400)).toHaveLength(1);
  });

  it('bootable: an image that fails every boot does not count, one that wears off does (F§2)', () => {
    const inv = new SlotInvariants(['cp1'], ALL, BOUND_MS);
    const once = sample({ bootFaults: [{ version: 'v1.9.0', stage: 'kernel', remaining: 1 }] });
    expect(inv.onSample('cp1', once, 0)).toEqual([]);
    const always = sample({ bootFaults: [{ version: 'v1.9.0', stage: 'kernel', remaining: null }] });
    expect(inv.onSample('cp1', always, 1)[0]?.invariant).toBe('bootable');
  });

  it('rollback: a failed boot not followed by Running within the bound is caught at the deadline', () => {
    const inv = new SlotInvariants(['cp1', 'w1'], ALL, BOUND_MS);
    expect(inv.onState('cp1', 'panicked', 'v1.10.0', 1_000, true)).toEqual([]);
    expect(inv.onState('cp1', 'firmware', 'v1.10.0', 2_000, true)).toEqual([]);
    expect(inv.deadlines(10_999)).toEqual([]);
    expect(inv.deadlines(11_000)).toEqual([
      {
        invariant: 'rollback',
        nodes: ['cp1'],
        message: 'cp1 failed to boot v1.10.0 at 1000 ms and is not running again 10000 ms later',
      },
    ]);
    expect(inv.deadlines(20_000)).toEqual([]);
    // A failed boot that comes back in time is no violation.
    expect(inv.onState('w1', 'bootFailed', 'v1.10.0', 30_000, true)).toEqual([]);
    expect(inv.onState('w1', 'running', 'v1.9.0', 35_000, true)).toEqual([]);
    expect(inv.deadlines(60_000)).toEqual([]);
  });

  it('rollback: once a node streams its states, a late sample cannot end its episode', () => {
    const inv = new SlotInvariants(['cp1'], ALL, BOUND_MS);
    inv.onState('cp1', 'bootFailed', 'v1.10.0', 0, true);
    inv.onSample('cp1', sample({ state: 'running' }), 100);
    expect(inv.deadlines(BOUND_MS)).toHaveLength(1);
  });

  it('version-skew: running nodes more than one minor apart are caught once per episode', () => {
    const inv = new SlotInvariants(['cp1', 'cp2', 'w1'], ALL, BOUND_MS);
    expect(inv.onState('cp1', 'running', 'v1.8.0', 0, true)).toEqual([]);
    expect(inv.onState('cp2', 'running', 'v1.9.0', 0, true)).toEqual([]);
    expect(inv.onState('w1', 'running', 'v1.10.0', 5, true)).toEqual([
      {
        invariant: 'version-skew',
        nodes: ['cp1', 'w1'],
        message: 'version skew: cp1 runs v1.8.0 while w1 runs v1.10.0',
      },
    ]);
    expect(inv.onState('cp2', 'running', 'v1.10.0', 6, true)).toEqual([]);
    // cp1 reboots: not running, so no skew; back on v1.8.0 it is a new episode.
    expect(inv.onState('cp1', 'kernel', 'v1.8.0', 7, true)).toEqual([]);
    expect(inv.onState('cp1', 'running', 'v1.8.0', 8, true)).toHaveLength(1);
  });

  it('checks only the invariants the scenario asks for', () => {
    const inv = new SlotInvariants(['cp1'], new Set<InvariantName>(['quorum']), BOUND_MS);
    expect(inv.onSample('cp1', sample({ slots: { A: null, B: null } }), 0)).toEqual([]);
    inv.onState('cp1', 'panicked', 'v1', 0, true);
    expect(inv.deadlines(BOUND_MS * 2)).toEqual([]);
  });
});

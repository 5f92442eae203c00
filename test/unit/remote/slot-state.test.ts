// Lab.SlotState (proto/PROTOCOL.md): what the bootable, rollback and version-skew invariants read of a node,
// served for simulated nodes from their model and carried over the wire without loss; a malformed reply is
// an error value, not a wrong state.
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlotState } from '../../../sim/api/node-api.js';
import { slotStateFromWire, slotStateToWire } from '../../../sim/remote/slot-state-wire.js';
import { baseYaml } from '../../helpers/scenario.js';
import { allReady, ask, clientFor, rawCall, serveScenario, waitFor, type Served } from './harness.js';

let served: Served | null = null;
afterEach(async () => {
  await served?.close();
  served = null;
});

const mid: SlotState = {
  state: 'running',
  version: 'v1.9.0',
  bootedSlot: 'B',
  slots: { A: { version: 'v1.8.0', intact: true }, B: { version: 'v1.9.0', intact: false } },
  bootloader: { default: 'B', fallback: 'A' },
  meta: {
    upgradeFallback: 'A',
    staged: { version: 'v1.9.1', preserve: true },
    tentative: 'armed',
    triesLeft: 2,
  },
  bootFaults: [
    { version: 'v1.9.0', stage: 'kernel', remaining: 1 },
    { version: 'v1.9.0', stage: 'powercycle', remaining: null },
  ],
};

describe('Lab.SlotState', () => {
  it('round-trips every field through the wire form', () => {
    expect(slotStateFromWire(slotStateToWire('cp1', mid))).toEqual(mid);
    const bare: SlotState = {
      state: 'off',
      version: null,
      bootedSlot: null,
      slots: { A: null, B: null },
      bootloader: { default: 'A', fallback: null },
      meta: null,
      bootFaults: [],
    };
    expect(slotStateFromWire(slotStateToWire('cp1', bare))).toEqual(bare);
  });

  it('refuses a malformed reply instead of guessing', () => {
    const wire = slotStateToWire('cp1', mid);
    expect(() => slotStateFromWire({ ...wire, bootloader_default: 'C' })).toThrow(/bootloader_default/);
    expect(() =>
      slotStateFromWire({ ...wire, boot_faults: [{ version: 'v1', stage: 'nope', remaining: 1 }] }),
    ).toThrow(/stage/);
    expect(() => slotStateFromWire({ ...wire, state: 7 })).toThrow(/state/);
  });

  it('a simulated node answers from its model, also while powered off', async () => {
    served = await serveScenario(baseYaml({ cps: 1, workers: 1 }));
    const api = clientFor(served);
    try {
      await waitFor('cluster Ready', () => allReady(api, 'v1.7.6'));
      const r = await ask<SlotState>((reply) => api.slotState('w1', reply));
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) return;
      const c = served.live.world.nodeContext('w1');
      expect(r.value).toEqual({
        state: 'running',
        version: 'v1.7.6',
        bootedSlot: c.bootedSlot,
        slots: c.disk.boot,
        bootloader: c.disk.bootloader,
        meta: c.disk.meta,
        bootFaults: [],
      });
      const off = await ask<string>((reply) => api.powerOff('w1', reply));
      expect(off.ok).toBe(true);
      await waitFor('w1 off', async () => {
        const s = await ask<SlotState>((reply) => api.slotState('w1', reply));
        return s.ok && s.value.state === 'off';
      });
      // Read as a reader would: the raw call names the node in the request.
      const raw = await rawCall(served.address, 'lab', 'SlotState', { node: 'w1' });
      expect(raw.err).toBeNull();
      expect(raw.res?.slot_a).toEqual({ version: 'v1.7.6', intact: true });
      const unknown = await rawCall(served.address, 'lab', 'SlotState', { node: 'nope' });
      expect(unknown.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    } finally {
      api.close();
    }
  });
});

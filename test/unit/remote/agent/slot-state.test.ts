// An agent answers Lab.SlotState from its disk folders, not from its model (issue 10: the mixed run's
// bootable invariant must see a disk that went wrong). A worker agent needs no etcd, so this runs anywhere.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasBootableSlot } from '../../../../models/bootloader.js';
import type { SlotState } from '../../../../sim/api/node-api.js';
import { AgentNode } from '../../../../sim/remote/agent/agent-node.js';
import { AGENT_TIMING } from '../../../../sim/remote/agent/run-agent.js';
import { EventHub } from '../../../../sim/remote/events.js';
import { ask, waitFor } from '../harness.js';

const root = mkdtempSync(join(tmpdir(), 'upgradelab-agent-slots-'));
const agent = new AgentNode({
  name: 'w1',
  role: 'worker',
  dir: join(root, 'w1'),
  version: 'v1.9.0',
  bootloader: 'talos',
  profile: null,
  timing: AGENT_TIMING,
  speed: 200,
  rngSeed: 3,
  etcd: null,
  peers: [],
  events: new EventHub(),
});

afterAll(async () => {
  await agent.shutdown();
  rmSync(root, { recursive: true, force: true });
});

const slots = () => ask<SlotState>((reply) => agent.slotState('w1', reply));
const bootable = (s: SlotState) =>
  hasBootableSlot(
    {
      boot: s.slots,
      bootloader: s.bootloader,
      meta: s.meta,
      state: null,
      ephemeral: { etcd: null, userData: false },
    },
    s.bootFaults,
  );

describe('an agent serves its slot state from its folders', () => {
  it('reads BOOT/A, BOOT/B, the bootloader and META from disk, and sees a slot deleted under it', async () => {
    await agent.start();
    await waitFor('w1 running', async () => {
      const s = await slots();
      return s.ok && s.value.state === 'running';
    });
    const r = await slots();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      version: 'v1.9.0',
      bootedSlot: 'A',
      slots: { A: { version: 'v1.9.0', intact: true }, B: null },
      bootloader: { default: 'A', fallback: null },
      meta: { upgradeFallback: null, staged: null },
      bootFaults: [],
    });
    expect(bootable(r.value)).toBe(true);
    // The disk breaks under the running model (the model still holds slot A in memory).
    rmSync(join(root, 'w1', 'BOOT', 'A'), { recursive: true, force: true });
    const broken = await slots();
    expect(broken.ok && broken.value.slots).toEqual({ A: null, B: null });
    expect(broken.ok && bootable(broken.value)).toBe(false);
    // The lab's boot faults are part of the answer, and it answers while the machine is off.
    await ask<string>((reply) => agent.failNextBoot('w1', 'v1.9.0', 'kernel', reply));
    await ask<string>((reply) => agent.powerOff('w1', reply));
    const off = await slots();
    expect(off.ok && off.value.state).toBe('off');
    expect(off.ok && off.value.bootFaults).toEqual([{ version: 'v1.9.0', stage: 'kernel', remaining: 1 }]);
  });
});

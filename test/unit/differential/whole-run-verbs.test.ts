// The whole-run script's isolate/heal verbs (test/differential/whole-runs.ts) on the model side: they reach
// NodeApi.isolate/heal in order, with their model-time delays, and the hook sees them (the real side's
// quorum observer tracks isolation through it).
import { describe, expect, it } from 'vitest';
import type { NodeApi } from '../../../sim/api/node-api.js';
import { PENDING_CASES } from '../../differential/whole-runs-cases.js';
import { play, runSimulated, type Action } from '../../differential/whole-runs.js';

describe('whole-run isolate/heal verbs', () => {
  it('play() sends isolate and heal to the API after their delays and reports them to the hook', () => {
    const calls: string[] = [];
    let now = 0;
    const api = {
      after: (ms: number, f: () => void) => {
        now += ms;
        f();
      },
      isolate: (n: string, r: (x: { ok: true; value: string }) => void) => {
        calls.push(`isolate ${n} @${now}`);
        r({ ok: true, value: '' });
      },
      heal: (n: string, r: (x: { ok: true; value: string }) => void) => {
        calls.push(`heal ${n} @${now}`);
        r({ ok: true, value: '' });
      },
    } as unknown as NodeApi;
    const hooked: string[] = [];
    let done = false;
    const actions: Action[] = [
      { verb: 'isolate', node: 'cp3', afterMs: 60_000 },
      { verb: 'heal', node: 'cp3', afterMs: 80_000 },
    ];
    play(
      api,
      actions,
      () => (done = true),
      () => {},
      (a, ok) => hooked.push(`${a.verb} ${a.node} ${ok}`),
    );
    expect(calls).toEqual(['isolate cp3 @60000', 'heal cp3 @140000']);
    expect(hooked).toEqual(['isolate cp3 true', 'heal cp3 true']);
    expect(done).toBe(true);
  });

  it('partition-during-upgrade in the simulator: cp3 cut off while cp2 installs, quorum lost, nothing lost', () => {
    const c = PENDING_CASES.find((x) => x.name === 'partition-during-upgrade')!;
    const log: string[] = [];
    const o = runSimulated(c, 60, (s) => log.push(s));
    expect(log).toContain('isolate cp3: ok');
    expect(log).toContain('heal cp3: ok');
    expect(o).toEqual({
      versions: { cp1: 'v1.8.11', cp2: 'v1.8.11', cp3: 'v1.8.11' },
      halted: false,
      // cp2's etcd stopped to install while cp3 is isolated: cp1 alone is a minority (F§4).
      quorumHeld: false,
      writesLost: 0,
      membership: [],
    });
  });
});

// The fault registry (sim/faults/registry.ts) on its own, with a real scheduler and a recorded trace: fault
// ids, start and end lines and their details, durations, composing power holds, the quorum excuse
// (`nodesTakenOut` and its recovery rules, issue 6 item 6), the liveness stop and `countRandom`.
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../../sim/engine/scheduler.js';
import { FaultRegistry } from '../../../sim/faults/registry.js';

function setup() {
  const scheduler = new Scheduler();
  const lines: Record<string, unknown>[] = [];
  const registry = new FaultRegistry((e) => lines.push({ t: scheduler.now, ...e }));
  const run = (untilMs: number) => scheduler.run({ maxEvents: 1_000, maxTimeMs: untilMs });
  return { scheduler, registry, lines, run };
}

describe('FaultRegistry', () => {
  it('begin: numbered from 1, traced at start and at the end of its duration, end called once', () => {
    const { scheduler, registry, lines, run } = setup();
    const ended: number[] = [];
    const a = registry.begin(
      scheduler,
      { type: 'powerLoss', node: 'cp1', detail: 'off', takesOut: ['cp1'] },
      1_000,
      () => ended.push(scheduler.now),
    );
    const b = registry.begin(scheduler, { type: 'partition', detail: 'cut', takesOut: [] }, null, () =>
      ended.push(-1),
    );
    expect([a, b]).toEqual([1, 2]);
    expect(registry.active.get(1)).toMatchObject({ id: 1, type: 'powerLoss', node: 'cp1', random: false });
    expect('node' in registry.active.get(2)!).toBe(false);
    expect(registry.nodesTakenOut()).toEqual(new Set(['cp1']));
    run(5_000);
    expect(ended).toEqual([1_000]);
    expect(lines).toEqual([
      { t: 0, type: 'fault.start', fault: 'powerLoss', id: 1, node: 'cp1', detail: 'off' },
      { t: 0, type: 'fault.start', fault: 'partition', id: 2, detail: 'cut' },
      { t: 1_000, type: 'fault.end', fault: 'powerLoss', id: 1, node: 'cp1', detail: 'duration elapsed' },
    ]);
    expect([...registry.active.keys()]).toEqual([2]);
  });

  it('a node taken out stays out after the fault ends until it is Ready', () => {
    const { scheduler, registry, run } = setup();
    registry.begin(
      scheduler,
      { type: 'powerLoss', node: 'cp1', detail: '', takesOut: ['cp1'] },
      1_000,
      () => {},
    );
    run(2_000);
    expect(registry.nodesTakenOut()).toEqual(new Set(['cp1']));
    registry.settleRecovering(() => false);
    expect(registry.nodesTakenOut()).toEqual(new Set(['cp1']));
    registry.settleRecovering((n) => n === 'cp1');
    expect(registry.nodesTakenOut()).toEqual(new Set());
  });

  it('an instantaneous fault: start and end at once; its nodes are out until their next node.ready', () => {
    const { registry, lines } = setup();
    registry.instant({ type: 'diskWipe', node: 'cp2', detail: 'EPHEMERAL' }, () => ['cp2']);
    expect(lines).toEqual([
      { t: 0, type: 'fault.start', fault: 'diskWipe', id: 1, node: 'cp2', detail: 'EPHEMERAL' },
      { t: 0, type: 'fault.end', fault: 'diskWipe', id: 1, node: 'cp2', detail: 'instantaneous' },
    ]);
    // Being Ready now does not clear it (the damage shows later) ...
    registry.settleRecovering(() => true);
    expect(registry.nodesTakenOut()).toEqual(new Set(['cp2']));
    // ... the next node.ready does.
    registry.noteReady('cp2');
    expect(registry.nodesTakenOut()).toEqual(new Set());
  });

  it('a fault ending does not shorten a becomeReady recovery already under way', () => {
    const { scheduler, registry, run } = setup();
    registry.instant({ type: 'diskWipe', node: 'cp1', detail: '' }, () => ['cp1']);
    registry.begin(
      scheduler,
      { type: 'powerLoss', node: 'cp1', detail: '', takesOut: ['cp1'] },
      10,
      () => {},
    );
    run(100);
    registry.settleRecovering(() => true);
    expect(registry.nodesTakenOut()).toEqual(new Set(['cp1']));
  });

  it('power holds compose: off at the first, on at the last release; a second release of one hold is a bug', () => {
    const { registry } = setup();
    const log: string[] = [];
    const off = () => log.push('off');
    const on = () => log.push('on');
    const r1 = registry.holdPowerOff('cp1', off, on);
    const r2 = registry.holdPowerOff('cp1', off, on);
    expect(registry.powerHeldOff('cp1')).toBe(2);
    expect(registry.powerHeldOff('cp2')).toBe(0);
    r1();
    expect(log).toEqual(['off']);
    expect(registry.powerHeldOff('cp1')).toBe(1);
    expect(() => r1()).toThrow('power hold on cp1 released twice');
    r2();
    expect(log).toEqual(['off', 'on']);
    expect(registry.powerHeldOff('cp1')).toBe(0);
  });

  it('condition: switched on at the start, off at the end, with its duration in the detail', () => {
    const { scheduler, registry, lines, run } = setup();
    const states: boolean[] = [];
    registry.condition(scheduler, { type: 'busyMounts', node: 'w1', detail: 'EPHEMERAL' }, 500, (on) =>
      states.push(on),
    );
    registry.condition(scheduler, { type: 'installFails', node: 'w2' }, null, (on) => states.push(on));
    expect(states).toEqual([true, true]);
    expect(lines.map((l) => l.detail)).toEqual(['EPHEMERAL, for 500 ms', 'until liveness']);
    expect(registry.nodesTakenOut()).toEqual(new Set());
    run(1_000);
    expect(states).toEqual([true, true, false]);
  });

  it('end: undoes an active fault at once and cancels its timer; false for one that is not active', () => {
    const { scheduler, registry, lines, run } = setup();
    let ends = 0;
    const id = registry.begin(
      scheduler,
      { type: 'partition', detail: '', takesOut: ['cp3'] },
      1_000,
      () => ends++,
    )!;
    scheduler.after(200, () => expect(registry.end(scheduler, id, 'healed by the lab')).toBe(true));
    run(5_000);
    expect(ends).toBe(1);
    expect(lines.at(-1)).toEqual({
      t: 200,
      type: 'fault.end',
      fault: 'partition',
      id,
      detail: 'healed by the lab',
    });
    expect(registry.end(scheduler, id, 'again')).toBe(false);
    expect(registry.end(scheduler, 99, 'never')).toBe(false);
  });

  it('stopAll: ends every active fault in id order and refuses new ones', () => {
    const { scheduler, registry, lines, run } = setup();
    const ended: number[] = [];
    registry.begin(scheduler, { type: 'a', detail: '', takesOut: [] }, null, () => ended.push(1));
    registry.begin(scheduler, { type: 'b', detail: '', takesOut: [] }, 1_000, () => ended.push(2));
    registry.stopAll(scheduler);
    expect(ended).toEqual([1, 2]);
    expect(lines.filter((l) => l.type === 'fault.end').map((l) => l.detail)).toEqual([
      'liveness phase: faults stop',
      'liveness phase: faults stop',
    ]);
    expect(registry.stopped).toBe(true);
    expect(registry.begin(scheduler, { type: 'c', detail: '', takesOut: ['x'] }, 10, () => {})).toBeNull();
    const before = lines.length;
    registry.instant({ type: 'diskWipe', detail: '' }, () => ['x']);
    let set = false;
    registry.condition(scheduler, { type: 'busyMounts', node: 'w1' }, 10, () => (set = true));
    expect(lines.length).toBe(before);
    expect(set).toBe(false);
    expect(registry.nodesTakenOut()).toEqual(new Set());
    run(5_000);
    expect(ended).toEqual([1, 2]);
  });

  it('countRandom counts random faults that take a node out, and only those', () => {
    const { scheduler, registry } = setup();
    registry.begin(
      scheduler,
      { type: 'powerLoss', detail: '', takesOut: ['a'], random: true },
      null,
      () => {},
    );
    registry.begin(scheduler, { type: 'failedBoot', detail: '', takesOut: [], random: true }, null, () => {});
    registry.begin(scheduler, { type: 'powerLoss', detail: '', takesOut: ['b'] }, null, () => {});
    expect(registry.countRandom()).toBe(1);
  });
});

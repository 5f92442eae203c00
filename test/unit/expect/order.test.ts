// Event matchers with order (`after:`, `before:`) and timing (`within:`), checked on a fixed event
// sequence so that the semantics are pinned independently of model timings.
import { describe, expect, it } from 'vitest';
import { expectationWatcher } from '../../../sim/expect.js';
import { parseScenario, ScenarioError } from '../../../sim/scenario/load.js';
import type { SimulateResult } from '../../../sim/simulate.js';
import type { TraceEvent } from '../../../sim/trace/types.js';

const HEAD = `name: order
cluster: { controlPlanes: 1, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 5m, policy: talosctl }
invariants: [bootable]
`;
const ev = (t: number, seq: number, body: Record<string, unknown>) =>
  ({ kind: 'event', t, seq, node: 'cp1', ...body }) as unknown as TraceEvent;
// Install starts at 334 s, the slot write ends at 394 s, then the flip (same millisecond, next seq),
// then the new image fails its boot at 435 s.
const RUN: TraceEvent[] = [
  ev(333_970, 10, { type: 'upgrade.step', step: 'install' }),
  ev(393_970, 11, { type: 'slot.write', slot: 'B', version: 'v1.8.0', phase: 'done' }),
  ev(393_970, 12, { type: 'bootloader.flip', default: 'B', fallback: 'A' }),
  ev(434_943, 13, { type: 'boot.failed', stage: 'init', version: 'v1.8.0', reverted: true }),
];
const NO_VIOLATIONS = {
  violations: [],
  metrics: { writesLost: 0 },
  final: { versions: {}, states: {}, learners: [] },
} as unknown as SimulateResult;

function results(expectYaml: string) {
  const s = parseScenario(`${HEAD}expect:\n${expectYaml}`, 'order.yaml');
  const w = expectationWatcher(s.expect!);
  for (const e of RUN) w.onEvent(e);
  return w.check(NO_VIOLATIONS).filter((r) => r.what.startsWith('event'));
}
const met = (yaml: string) => results(yaml).map((r) => r.met);

describe('ordered and timed event matchers', () => {
  it('before: the write ends before the flip, not the other way round (same millisecond, by seq)', () => {
    expect(met('  events: [{ type: slot.write, phase: done, before: { type: bootloader.flip } }]')).toEqual([
      true,
    ]);
    expect(met('  events: [{ type: bootloader.flip, before: { type: slot.write, phase: done } }]')).toEqual([
      false,
    ]);
  });

  it('within: timed from the after anchor', () => {
    const y = (w: string) =>
      `  events: [{ type: boot.failed, after: { type: upgrade.step, step: install }, within: ${w} }]`;
    expect(met(y('2m'))).toEqual([true]); // 101 s after the install started
    expect(met(y('1m'))).toEqual([false]);
    expect(results(y('1m'))[0]!.actual).toBe('never happened in its window');
  });

  it('within without an anchor is timed from the start of the run', () => {
    expect(met('  events: [{ type: upgrade.step, within: 6m }]')).toEqual([true]);
    expect(met('  events: [{ type: upgrade.step, within: 5m }]')).toEqual([false]);
  });

  it('an anchor that never happens leaves an event expectation unmet, and says so', () => {
    const r = results('  events: [{ type: boot.failed, after: { type: fault.start, fault: powerLoss } }]');
    expect(r[0]!.met).toBe(false);
    expect(r[0]!.actual).toMatch(/fault.start .*never happened/);
    expect(met('  events: [{ type: boot.failed, before: { type: fault.start } }]')).toEqual([false]);
  });

  it('absentEvents with a window: nothing in the window, events outside it do not count', () => {
    expect(met('  absentEvents: [{ type: bootloader.flip, before: { type: upgrade.step } }]')).toEqual([
      true,
    ]);
    expect(met('  absentEvents: [{ type: bootloader.flip, after: { type: upgrade.step } }]')).toEqual([
      false,
    ]);
    expect(met('  absentEvents: [{ type: boot.failed, after: { type: upgrade.step }, within: 1m }]')).toEqual(
      [true],
    );
  });

  it('the anchors are validated like any matcher (type and fields)', () => {
    const bad = (y: string) => () => parseScenario(`${HEAD}expect:\n${y}`, 'order.yaml');
    expect(bad('  events: [{ type: boot.failed, after: { type: upgrade.stp } }]')).toThrow(ScenarioError);
    expect(bad('  events: [{ type: boot.failed, after: { type: upgrade.stp } }]')).toThrow(
      /expect\.events\[0\]\.after\.type.*upgrade\.step/s,
    );
    expect(bad('  events: [{ type: boot.failed, before: { type: upgrade.step, stepp: x } }]')).toThrow(
      /expect\.events\[0\]\.before\.stepp/,
    );
    expect(bad('  events: [{ type: boot.failed, within: soon }]')).toThrow(/expect\.events\[0\]\.within/);
  });
});

// Scenario variants are made by editing YAML text, so the file written for reproduction is exactly the
// text that ran. These tests pin that the edits land where they should and the loader accepts the result.
import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../../sim/engine/duration.js';
import { parseScenario } from '../../../sim/scenario/load.js';
import { durationText, editScenarioText } from '../../../sim/scenario/edit.js';

const BASE = `# a comment that must survive
name: base
cluster: { controlPlanes: 3, workers: 2, version: v1.7.6 }
upgrade:
  to: v1.8.0
  at: 5m
  policy: { preset: talosctl } # keep me
faults:
  - { type: failedBoot, node: cp1, version: v1.8.0, stage: kernel, times: always }
`;

describe('durationText', () => {
  it.each([0, 1, 999, 1000, 61_500, 90_000, 5_400_000, 7_200_000, 3_723_004])(
    '%i ms reads back exactly',
    (ms) => {
      expect(parseDurationMs(durationText(ms))).toBe(ms);
    },
  );

  it('writes the largest units first', () => {
    expect(durationText(5_400_000)).toBe('1h30m');
    expect(durationText(61_500)).toBe('1m1s500ms');
    expect(durationText(0)).toBe('0s');
  });

  it('rejects what is not a duration', () => {
    expect(() => durationText(-1)).toThrow(/durationText/);
    expect(() => durationText(1.5)).toThrow(/durationText/);
  });
});

describe('editScenarioText', () => {
  it('sets, appends and deletes, keeps comments, and the loader accepts the result', () => {
    const text = editScenarioText(
      BASE,
      [
        { set: ['bootloader'], value: 'grub-tentative' },
        { set: ['upgrade', 'policy', 'rebootMode'], value: 'powercycle' },
        { set: ['faults', 0, 'stage'], value: 'init' },
        { set: ['faults', 0, 'times'], value: 1 },
        { append: ['faults'], value: { at: '1h', type: 'powerLoss', node: 'cp1', duration: '3m' } },
        { set: ['cluster', 'controlPlanes'], value: 5 },
        { delete: ['upgrade', 'at'] },
      ],
      'generated\nfor a test',
    );
    expect(text.startsWith('# generated\n# for a test\n# a comment that must survive\n')).toBe(true);
    expect(text).toContain('# keep me');
    const s = parseScenario(text, 'variant.yaml');
    expect(s.bootloader).toBe('grub-tentative');
    expect(s.upgrade?.policy.rebootMode).toBe('powercycle');
    expect(s.upgrade?.atMs).toBe(0);
    expect(s.cluster.nodes.filter((n) => n.role === 'controlplane')).toHaveLength(5);
    expect(s.faults).toHaveLength(2);
    expect(s.faults[0]).toMatchObject({ type: 'failedBoot', stage: 'init', times: 1 });
    expect(s.faults[1]).toMatchObject({
      type: 'powerLoss',
      node: 'cp1',
      atMs: 3_600_000,
      durationMs: 180_000,
    });
  });

  it('creates a fault list when the base has none', () => {
    const text = editScenarioText('name: x\ncluster: { controlPlanes: 3, workers: 0, version: v1.7.6 }\n', [
      { append: ['faults'], value: { at: '1m', type: 'powerLoss', node: 'cp2', duration: '1m' } },
    ]);
    expect(parseScenario(text, 'x.yaml').faults).toEqual([
      { type: 'powerLoss', atMs: 60_000, node: 'cp2', durationMs: 60_000 },
    ]);
  });

  it('leaves the base text alone and refuses to refine a scalar policy', () => {
    const before = BASE;
    editScenarioText(BASE, [{ set: ['name'], value: 'other' }]);
    expect(BASE).toBe(before);
    const scalar = BASE.replace('policy: { preset: talosctl } # keep me', 'policy: talosctl');
    expect(() => editScenarioText(scalar, [{ set: ['upgrade', 'policy', 'retries'], value: 2 }])).toThrow();
    expect(() => editScenarioText(BASE, [{ append: ['name'], value: 1 }])).toThrow(/not a list/);
  });
});

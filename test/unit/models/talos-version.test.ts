import { describe, expect, it } from 'vitest';
import {
  installerWipes,
  parseTalosVersion,
  rulesForVersion,
  sequenceRules,
} from '../../../models/talos-version.js';

describe('Talos version rules (F§3)', () => {
  it('parses release versions and refuses anything else', () => {
    expect(parseTalosVersion('v1.7.6')).toEqual({ major: 1, minor: 7, patch: 6 });
    expect(parseTalosVersion('1.13.0-beta.1')).toEqual({ major: 1, minor: 13, patch: 0 });
    expect(parseTalosVersion('v1.8')).toEqual({ major: 1, minor: 8, patch: 0 });
    for (const bad of ['v2', 'latest', '', 'v1.x.0', 'v1.7.6 ']) expect(parseTalosVersion(bad)).toBeNull();
  });

  it.each([
    ['v1.6.7', 'talos-1.7'],
    ['v1.7.6', 'talos-1.7'],
    ['v1.8.0', 'talos-1.8'],
    ['v1.12.4', 'talos-1.8'],
    ['v1.13.0', 'talos-1.13'],
    ['v2.0.0', 'talos-1.13'],
  ])('F§3: a node running %s follows %s', (version, rules) => {
    expect(rulesForVersion(version)).toBe(rules);
  });

  it('F§3: only installers before 1.8 wipe EPHEMERAL ("system disk wipe on upgrade is not supported anymore")', () => {
    expect(installerWipes('v1.7.6', null)).toBe(true);
    expect(installerWipes('v1.8.0', 'talos-1.7')).toBe(false);
    expect(installerWipes('v1.13.0', null)).toBe(false);
    // A toy version follows the override.
    expect(installerWipes('v2', 'talos-1.7')).toBe(true);
    expect(installerWipes('v2', 'talos-1.8')).toBe(false);
  });

  it('the override wins; a toy version without an override is a bug', () => {
    expect(sequenceRules('v1.7.6', 'talos-1.13')).toBe('talos-1.13');
    expect(sequenceRules('v1.7.6', null)).toBe('talos-1.7');
    expect(() => sequenceRules('v2', null)).toThrow(/not a Talos version/);
  });
});

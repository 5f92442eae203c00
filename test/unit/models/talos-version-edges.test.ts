// Edges of the Talos version parser and rules (models/talos-version.ts, F§3) that the first mutation run
// (issue 7) showed unpinned: the whole text must be a version (anchored), multi-digit major and patch
// numbers, and pre-1.0 releases (Talos v0.x) follow the oldest rule set.
import { describe, expect, it } from 'vitest';
import { installerWipes, parseTalosVersion, rulesForVersion } from '../../../models/talos-version.js';

describe('parseTalosVersion edges', () => {
  it('the whole text must be the version: nothing before it', () => {
    expect(parseTalosVersion('xv1.8.0')).toBeNull();
    expect(parseTalosVersion('talos-v1.8.0')).toBeNull();
  });

  it('major and patch numbers may have several digits', () => {
    expect(parseTalosVersion('v10.2.0')).toEqual({ major: 10, minor: 2, patch: 0 });
    expect(parseTalosVersion('v1.8.12')).toEqual({ major: 1, minor: 8, patch: 12 });
  });
});

describe('pre-1.0 Talos (v0.x) follows the oldest rules (F§3)', () => {
  it('a v0.14 node leaves etcd and its installer still wipes', () => {
    expect(rulesForVersion('v0.14.3')).toBe('talos-1.7');
    expect(rulesForVersion('v0.99.0')).toBe('talos-1.7');
    expect(installerWipes('v0.14.3', null)).toBe(true);
    expect(rulesForVersion('v2.0.0')).toBe('talos-1.13');
  });
});

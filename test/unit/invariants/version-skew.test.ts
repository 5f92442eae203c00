// version-skew (sim/invariants/version-skew.ts): running nodes never span more than one minor version
// (T#10364 in FACTS.md section 5 boots a slot two versions back). Incremental: counts per minor, updated for
// the dirty nodes; the message comes from a full scan.
import { describe, expect, it } from 'vitest';
import { minorOf, versionSkewInvariant } from '../../../sim/invariants/version-skew.js';
import { FakeWorld, fiveNodes } from '../../helpers/fake-world.js';

describe('minorOf', () => {
  it('reads major.minor, with or without the v, and nothing else', () => {
    expect(minorOf('v1.8.0')).toBe(1008);
    expect(minorOf('1.10.2')).toBe(1010);
    expect(minorOf('v2.0')).toBe(2000);
    expect(minorOf('v10.2.0')).toBe(10002);
    expect(minorOf('latest')).toBeNull();
    expect(minorOf('x1.8.0')).toBeNull();
  });
});

describe('version-skew invariant', () => {
  it('one minor apart is allowed; two is reported with the lowest and highest running node', () => {
    const w = fiveNodes();
    w.set('cp1', { version: 'v1.8.0' });
    const inv = versionSkewInvariant();
    expect(inv.check(w.env())).toBeNull();
    expect(inv.liveness).toBe(false);
    w.set('w2', { version: 'v1.9.1' });
    expect(inv.check(w.env({ dirty: ['w2'] }))).toEqual({
      nodes: ['cp2', 'w2'],
      message: 'version skew: cp2 runs v1.7.6 while w2 runs v1.9.1',
    });
  });

  it('names the first node met at the lowest and at the highest minor', () => {
    const w = new FakeWorld([
      { name: 'a', version: 'v1.9.0' },
      { name: 'b', version: 'v1.7.0' },
      { name: 'c', version: 'v1.9.2' },
      { name: 'd', version: 'v1.7.5' },
    ]);
    expect(versionSkewInvariant().check(w.env())?.nodes).toEqual(['b', 'a']);
  });

  it('only running nodes count, and a node without a readable version does not', () => {
    const w = fiveNodes();
    w.set('w1', { version: 'v1.9.0', state: 'bootFailed' });
    w.set('w2', { version: 'weird' });
    w.set('cp3', { version: null });
    expect(versionSkewInvariant().check(w.env())).toBeNull();
  });

  it('in the full scan a running node without a readable version is neither the lowest nor the highest', () => {
    const w = new FakeWorld([
      { name: 'c', version: 'weird' },
      { name: 'a', version: 'v1.7.0' },
      { name: 'b', version: 'v1.9.0' },
      { name: 'd', version: null },
    ]);
    expect(versionSkewInvariant().check(w.env())).toEqual({
      nodes: ['a', 'b'],
      message: 'version skew: a runs v1.7.0 while b runs v1.9.0',
    });
  });

  it('follows nodes as they stop and start: counts per minor go down to zero and up again', () => {
    const w = fiveNodes();
    w.set('w1', { version: 'v1.9.0' });
    w.set('w2', { version: 'v1.9.0' });
    const inv = versionSkewInvariant();
    expect(inv.check(w.env())?.nodes).toEqual(['cp1', 'w1']);
    // One v1.9 node stops: the other still makes the skew.
    w.set('w1', { state: 'off' });
    expect(inv.check(w.env({ dirty: ['w1'] }))?.nodes).toEqual(['cp1', 'w2']);
    w.set('w2', { state: 'off' });
    expect(inv.check(w.env({ dirty: ['w2'] }))).toBeNull();
    // w2 comes back on v1.9: skew again.
    w.set('w2', { state: 'running' });
    expect(inv.check(w.env({ dirty: ['w2'] }))?.nodes).toEqual(['cp1', 'w2']);
    // The v1.7 nodes all move to v1.8: one minor apart, fine.
    for (const n of ['cp1', 'cp2', 'cp3']) w.set(n, { version: 'v1.8.0' });
    expect(inv.check(w.env({ dirty: ['cp1', 'cp2', 'cp3'] }))).toBeNull();
  });

  it('a node whose version changes while it stays running moves from one count to the other', () => {
    const w = new FakeWorld([
      { name: 'a', version: 'v1.7.0' },
      { name: 'b', version: 'v1.8.0' },
    ]);
    const inv = versionSkewInvariant();
    expect(inv.check(w.env())).toBeNull();
    w.set('b', { version: 'v1.9.0' });
    expect(inv.check(w.env({ dirty: ['b'] }))?.nodes).toEqual(['a', 'b']);
    w.set('a', { version: 'v1.8.0' });
    expect(inv.check(w.env({ dirty: ['a'] }))).toBeNull();
  });
});

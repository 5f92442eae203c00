import { describe, it, expect, vi } from 'vitest';
import { Network } from '../../../models/network.js';

const NAMES = ['cp1', 'cp2', 'cp3', 'w1', 'w2'];

describe('Network', () => {
  it('starts fully connected; a node always reaches itself', () => {
    const net = new Network(NAMES);
    expect(net.connected('cp1', 'w2')).toBe(true);
    expect(net.canSend('cp3', 'cp3')).toBe(true);
    expect(net.describe()).toEqual([NAMES]);
    expect(net.cuts()).toEqual([]);
  });

  it('cut is directed; connected needs both directions', () => {
    const net = new Network(NAMES);
    net.cut('cp1', 'cp2');
    expect(net.canSend('cp1', 'cp2')).toBe(false);
    expect(net.canSend('cp2', 'cp1')).toBe(true);
    expect(net.connected('cp1', 'cp2')).toBe(false);
    expect(net.connected('cp2', 'cp1')).toBe(false);
    expect(net.cuts()).toEqual([{ from: 'cp1', to: 'cp2' }]);
  });

  it('overlapping cuts compose: the link opens only when every fault has healed it', () => {
    const net = new Network(NAMES);
    net.cut('cp1', 'cp2');
    net.cut('cp1', 'cp2');
    net.heal('cp1', 'cp2');
    expect(net.canSend('cp1', 'cp2')).toBe(false);
    net.heal('cp1', 'cp2');
    expect(net.canSend('cp1', 'cp2')).toBe(true);
  });

  it('version changes exactly when the set of open links changes', () => {
    const net = new Network(NAMES);
    const v0 = net.version;
    net.cut('cp1', 'cp2');
    const v1 = net.version;
    expect(v1).toBeGreaterThan(v0);
    net.cut('cp1', 'cp2');
    expect(net.version).toBe(v1);
    net.heal('cp1', 'cp2');
    expect(net.version).toBe(v1);
    net.heal('cp1', 'cp2');
    expect(net.version).toBeGreaterThan(v1);
  });

  it('symmetric partition cuts every link between groups; unnamed nodes form an implicit group', () => {
    const net = new Network(NAMES);
    const cuts = net.partition([['cp1'], ['cp2', 'cp3']]);
    expect(net.describe()).toEqual([['cp1'], ['cp2', 'cp3'], ['w1', 'w2']]);
    expect(net.connected('cp2', 'cp3')).toBe(true);
    expect(net.connected('w1', 'w2')).toBe(true);
    expect(net.canSend('cp1', 'w1')).toBe(false);
    expect(net.canSend('w1', 'cp1')).toBe(false);
    // 1*2 + 1*2 + 2*2 pairs, both directions.
    expect(cuts).toHaveLength(16);
    net.healCuts(cuts);
    expect(net.describe()).toEqual([NAMES]);
    expect(net.cuts()).toEqual([]);
  });

  it('isolating one node: the rest stays together in the implicit group', () => {
    const net = new Network(NAMES);
    net.partition([['cp3']]);
    expect(net.describe()).toEqual([['cp1', 'cp2', 'w1', 'w2'], ['cp3']]);
  });

  it('one-way partition drops only traffic from the first group to the others', () => {
    const net = new Network(NAMES);
    const cuts = net.partition([['cp1'], ['cp2']], true);
    expect(net.canSend('cp1', 'cp2')).toBe(false);
    expect(net.canSend('cp1', 'w1')).toBe(false);
    expect(net.canSend('cp2', 'cp1')).toBe(true);
    expect(net.canSend('w1', 'cp1')).toBe(true);
    expect(net.canSend('cp2', 'w1')).toBe(true);
    expect(cuts).toHaveLength(4);
    expect(net.connected('cp1', 'cp2')).toBe(false);
    net.healCuts(cuts);
    expect(net.canSend('cp1', 'cp2')).toBe(true);
  });

  it('a partition overlapping another keeps links cut until both heal', () => {
    const net = new Network(NAMES);
    const a = net.partition([['cp1']]);
    const b = net.partition([['cp1', 'cp2']]);
    net.healCuts(a);
    expect(net.connected('cp1', 'cp3')).toBe(false);
    expect(net.connected('cp1', 'cp2')).toBe(true);
    net.healCuts(b);
    expect(net.connected('cp1', 'cp3')).toBe(true);
  });

  it('components are ordered by constructor order whatever the input order, and deduplicated', () => {
    const net = new Network(NAMES);
    net.partition([['w2', 'cp2'], ['cp1']]);
    expect(net.components(['w2', 'cp3', 'cp2', 'cp1', 'cp2'])).toEqual([['cp1'], ['cp2', 'w2'], ['cp3']]);
  });

  it('components are transitive over two-way links', () => {
    const net = new Network(NAMES);
    net.cut('cp1', 'cp3');
    expect(net.connected('cp1', 'cp3')).toBe(false);
    expect(net.components(['cp1', 'cp2', 'cp3'])).toEqual([['cp1', 'cp2', 'cp3']]);
    expect(net.components(['cp1', 'cp3'])).toEqual([['cp1'], ['cp3']]);
  });

  it('unknown names, self cuts, unbalanced heals and overlapping groups are simulator bugs', () => {
    const net = new Network(NAMES);
    expect(() => net.cut('cp1', 'nope')).toThrow(/unknown node 'nope'/);
    expect(() => net.canSend('nope', 'nope')).toThrow(/unknown node/);
    expect(() => net.connected('nope', 'cp1')).toThrow(/unknown node/);
    expect(() => net.components(['nope'])).toThrow(/unknown node/);
    expect(() => net.cut('cp1', 'cp1')).toThrow(/itself/);
    expect(() => net.heal('cp1', 'cp2')).toThrow(/not cut/);
    expect(() => net.partition([['cp1'], ['cp1', 'cp2']])).toThrow(/more than one group/);
    expect(() => net.partition([['ghost']])).toThrow(/unknown node/);
    expect(() => new Network(['a', 'a'])).toThrow(/duplicate/);
  });
});

// The partition answer is cached until a link changes (issue 8): every mutating verb must drop the cache,
// or a checkpoint would show a partition that has already healed (or miss one that has begun).
describe('Network components cache', () => {
  type Internals = { computeComponents(among: readonly string[]): string[][] };

  it('recomputes only after a link changes, and hands out copies', () => {
    const net = new Network(NAMES);
    const compute = vi.spyOn(net as unknown as Internals, 'computeComponents');
    const first = net.describe();
    first[0]!.push('mangled');
    expect(net.describe()).toEqual([NAMES]);
    expect(compute).toHaveBeenCalledTimes(1);
    net.cut('cp1', 'w1');
    net.describe();
    net.describe();
    expect(compute).toHaveBeenCalledTimes(2);
    // Another `among` is another question.
    net.components(['cp1', 'cp2']);
    expect(compute).toHaveBeenCalledTimes(3);
  });

  it('cut, heal, partition and healCuts each invalidate it', () => {
    const net = new Network(NAMES);
    expect(net.describe()).toEqual([NAMES]);
    net.cut('cp1', 'cp2');
    net.cut('cp2', 'cp1');
    net.cut('cp1', 'cp3');
    net.cut('cp3', 'cp1');
    net.cut('cp1', 'w1');
    net.cut('w1', 'cp1');
    // cp1 still reaches w2 both ways: one component.
    expect(net.describe()).toEqual([NAMES]);
    net.cut('cp1', 'w2');
    expect(net.describe()).toEqual([['cp1'], ['cp2', 'cp3', 'w1', 'w2']]);
    net.heal('cp1', 'w2');
    expect(net.describe()).toEqual([NAMES]);
    for (const [a, b] of [
      ['cp1', 'cp2'],
      ['cp2', 'cp1'],
      ['cp1', 'cp3'],
      ['cp3', 'cp1'],
      ['cp1', 'w1'],
      ['w1', 'cp1'],
    ])
      net.heal(a!, b!);
    const cuts = net.partition([['w1', 'w2']]);
    expect(net.describe()).toEqual([
      ['cp1', 'cp2', 'cp3'],
      ['w1', 'w2'],
    ]);
    net.healCuts(cuts);
    expect(net.describe()).toEqual([NAMES]);
  });

  it('a second reference to a cut changes nothing, and healing one of two keeps the link cut', () => {
    const net = new Network(NAMES);
    const a = net.partition([['cp1']]);
    const b = net.partition([['cp1']]);
    const isolated = [['cp1'], ['cp2', 'cp3', 'w1', 'w2']];
    expect(net.describe()).toEqual(isolated);
    net.healCuts(a);
    expect(net.describe()).toEqual(isolated);
    net.healCuts(b);
    expect(net.describe()).toEqual([NAMES]);
  });
});

// Edges of the network model (models/network.ts) that the first mutation run (issue 7) showed unpinned:
// each misuse (a simulator bug, so it throws) names the method it came through, and the cached
// components answer depends on the `among` list asked for, not only on the links.
import { describe, expect, it } from 'vitest';
import { Network } from '../../../models/network.js';

describe('Network misuse names the method', () => {
  it('cut, heal, partition, canSend and components', () => {
    const net = new Network(['cp1', 'cp2', 'cp3']);
    expect(() => net.cut('cp1', 'nope')).toThrow("Network.cut: unknown node 'nope'");
    expect(() => net.heal('nope', 'cp1')).toThrow("Network.heal: unknown node 'nope'");
    expect(() => net.partition([['ghost']])).toThrow("Network.partition: unknown node 'ghost'");
    expect(() => net.canSend('nope', 'nope')).toThrow("Network.canSend: unknown node 'nope'");
    expect(() => net.canSend('cp1', 'nope')).toThrow("Network.canSend: unknown node 'nope'");
    expect(() => net.components(['cp1', 'nope'])).toThrow("Network.components: unknown node 'nope'");
  });
});

describe('components', () => {
  it('a fresh network answers at once; the answer follows the list asked for, cached or not', () => {
    const net = new Network(['a', 'b', 'c', 'd']);
    expect(net.components(['c', 'a'])).toEqual([['a', 'c']]);
    expect(net.components(['b', 'd'])).toEqual([['b', 'd']]);
    expect(net.components(['b', 'd', 'a'])).toEqual([['a', 'b', 'd']]);
    expect(net.components([])).toEqual([]);
    net.partition([['a']]);
    expect(net.components(['a', 'b'])).toEqual([['a'], ['b']]);
    expect(net.components(['a', 'c'])).toEqual([['a'], ['c']]);
    expect(net.components(['b', 'c'])).toEqual([['b', 'c']]);
    expect(net.components(['b', 'd'])).toEqual([['b', 'd']]);
    expect(net.components(['b', 'c'])).toEqual([['b', 'c']]);
  });

  it('after every cut has healed, everyone is one component again', () => {
    const net = new Network(['a', 'b', 'c']);
    const cuts = net.partition([['a'], ['b']]);
    expect(net.describe()).toEqual([['a'], ['b'], ['c']]);
    net.healCuts(cuts);
    expect(net.describe()).toEqual([['a', 'b', 'c']]);
    // One cut link: a and b still reach each other through c (components are transitive).
    net.cut('a', 'b');
    expect(net.describe()).toEqual([['a', 'b', 'c']]);
    expect(net.components(['a', 'b'])).toEqual([['a'], ['b']]);
  });
});

// durability (sim/invariants/durability.ts): every write etcd acknowledged is still in the log (F§4).
import { describe, expect, it } from 'vitest';
import { durabilityInvariant } from '../../../sim/invariants/durability.js';
import { FakeWorld } from '../../helpers/fake-world.js';

function world(): FakeWorld {
  const w = new FakeWorld([{ name: 'cp1' }, { name: 'cp2' }]);
  w.members = [
    { id: 'm1', name: 'cp1', learner: false, started: true },
    { id: 'm2', name: 'cp2', learner: false, started: true },
  ];
  return w;
}

describe('durability invariant', () => {
  it('holds while no acknowledged write is lost', () => {
    expect(durabilityInvariant.check(world().env())).toBeNull();
    expect(durabilityInvariant.liveness).toBe(false);
  });

  it('reports the count, the first lost id and the leader now', () => {
    const w = world();
    w.lost = [7, 9];
    w.leaderId = 'm2';
    expect(durabilityInvariant.check(w.env())).toEqual({
      nodes: ['cp2'],
      message: '2 acknowledged write(s) lost (first id 7); leader now cp2',
    });
  });

  it('with no leader, or a leader id no member has, blames no node', () => {
    const w = world();
    w.lost = [3];
    w.leaderId = null;
    expect(durabilityInvariant.check(w.env())).toEqual({
      nodes: [],
      message: '1 acknowledged write(s) lost (first id 3); leader now none',
    });
    w.leaderId = 'gone';
    expect(durabilityInvariant.check(w.env())?.nodes).toEqual([]);
  });
});

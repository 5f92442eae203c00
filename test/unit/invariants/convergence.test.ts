// convergence (sim/invariants/convergence.ts, liveness, F§7): at the liveness deadline every node is Running
// and Ready on the target, or every node is Ready on the version it started with; no learner or unstarted
// member is left, and etcd has a leader. The message lists what is wrong, part by part.
import { describe, expect, it } from 'vitest';
import { convergenceInvariant } from '../../../sim/invariants/convergence.js';
import { FakeWorld } from '../../helpers/fake-world.js';

function world(version = 'v1.8.0'): FakeWorld {
  const w = new FakeWorld([
    { name: 'cp1', version },
    { name: 'cp2', version },
    { name: 'w1', version },
  ]);
  w.members = [
    { id: 'm1', name: 'cp1', learner: false, started: true },
    { id: 'm2', name: 'cp2', learner: false, started: true },
  ];
  return w;
}

const finish = (w: FakeWorld, opts: { target?: string | null } = {}) =>
  convergenceInvariant.finish!(w.env(opts));

describe('convergence invariant', () => {
  it('is a liveness check judged only at the end', () => {
    const w = world();
    w.set('w1', { ready: false });
    expect(convergenceInvariant.liveness).toBe(true);
    expect(convergenceInvariant.name).toBe('convergence');
    expect(convergenceInvariant.check(w.env())).toBeNull();
    expect(finish(w)).not.toBeNull();
  });

  it('holds with every node Ready on the target, or every node back on the initial version', () => {
    expect(finish(world('v1.8.0'))).toBeNull();
    expect(finish(world('v1.7.6'))).toBeNull();
    // No upgrade at all: the target is the initial version.
    expect(finish(world('v1.7.6'), { target: null })).toBeNull();
    expect(finish(world('v1.8.0'), { target: null })?.message).toBe(
      'did not converge: versions: cp1=v1.8.0 cp2=v1.8.0 w1=v1.8.0',
    );
  });

  it('mixed versions, all Ready', () => {
    const w = world();
    w.set('cp2', { version: 'v1.7.6' });
    w.set('w1', { version: null });
    expect(finish(w)).toEqual({
      nodes: [],
      message: 'did not converge: versions: cp1=v1.8.0 cp2=v1.7.6 w1=-',
    });
  });

  it('a node not Ready, or Ready but not Running, is named with its state', () => {
    const w = world();
    w.set('w1', { ready: false, state: 'running' });
    w.set('cp1', { state: 'maintenance' });
    expect(finish(w)).toEqual({
      nodes: ['cp1', 'w1'],
      message:
        'did not converge: not Ready: cp1(maintenance), w1(running); versions: cp1=v1.8.0 cp2=v1.8.0 w1=v1.8.0',
    });
  });

  it('learners and unstarted members, and a missing leader, each break it', () => {
    const w = world();
    w.members[1]!.learner = true;
    expect(finish(w)).toEqual({
      nodes: ['cp2'],
      message: 'did not converge: etcd members not started voters: cp2',
    });
    w.members[1]!.learner = false;
    w.members[0]!.started = false;
    expect(finish(w)?.message).toBe('did not converge: etcd members not started voters: cp1');
    w.members[0]!.started = true;
    w.leaderId = null;
    expect(finish(w)).toEqual({ nodes: [], message: 'did not converge: etcd has no leader' });
  });

  it('every node back on the initial version is no excuse for one that is not Ready', () => {
    const w = world('v1.7.6');
    w.set('w1', { ready: false, state: 'booting' });
    expect(finish(w)).toEqual({
      nodes: ['w1'],
      message: 'did not converge: not Ready: w1(booting); versions: cp1=v1.7.6 cp2=v1.7.6 w1=v1.7.6',
    });
  });

  it('several members not started voters are listed comma-separated', () => {
    const w = world();
    w.members[0]!.learner = true;
    w.members[1]!.started = false;
    expect(finish(w)?.message).toBe('did not converge: etcd members not started voters: cp1, cp2');
  });

  it('a node both not Ready and a learner is named once', () => {
    const w = world();
    w.set('cp2', { ready: false, state: 'booting' });
    w.members[1]!.started = false;
    const v = finish(w);
    expect(v?.nodes).toEqual(['cp2']);
    expect(v?.message).toBe(
      'did not converge: not Ready: cp2(booting); versions: cp1=v1.8.0 cp2=v1.8.0 w1=v1.8.0; etcd members not started voters: cp2',
    );
  });
});

// etcd error codes (F§4) for the texts the etcd-errors test does not cover: a leader change is a timeout
// (indefinite), a refused connection is `unavailable` in both spellings, and an explicit message replaces
// the code's own text but not its definiteness.
import { describe, expect, it } from 'vitest';
import { classifyEtcdMessage, etcdError } from '../../../models/etcd-errors.js';

describe('etcd errors, the remaining texts', () => {
  it('classifies a leader change, a peer URL clash and refused connections', () => {
    expect(classifyEtcdMessage('etcdserver: leader changed')).toBe('timeout');
    expect(classifyEtcdMessage('etcdserver: Peer URLs already exists')).toBe('peer-url-exists');
    expect(classifyEtcdMessage('dial tcp 127.0.0.1:2379: connect: connection refused')).toBe('unavailable');
    expect(classifyEtcdMessage('Error: connect ECONNREFUSED 127.0.0.1:2379')).toBe('unavailable');
    expect(classifyEtcdMessage('')).toBeNull();
  });

  it('an explicit message keeps the code and its definiteness', () => {
    expect(etcdError('raft-panic', 'tocommit(9) is out of range [lastIndex(3)]')).toEqual({
      code: 'raft-panic',
      message: 'tocommit(9) is out of range [lastIndex(3)]',
      definite: true,
    });
    expect(etcdError('unavailable')).toEqual({
      code: 'unavailable',
      message: 'connection refused',
      definite: true,
    });
  });
});

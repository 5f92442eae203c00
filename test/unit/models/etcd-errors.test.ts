import { describe, expect, it } from 'vitest';
import {
  ETCD_ERRORS,
  classifyEtcdMessage,
  etcdError,
  type EtcdErrorCode,
} from '../../../models/etcd-errors.js';

// F§4: the error codes are the contract between the model and real etcd; texts are etcd's own.

describe('etcd errors', () => {
  it('classifies the texts etcd 3.4 and its client print', () => {
    const cases: [string, EtcdErrorCode][] = [
      ['context deadline exceeded', 'timeout'],
      ['etcdserver: request timed out', 'timeout'],
      ['etcdserver: rpc not supported for learner', 'learner-rpc'],
      ['etcdserver: too many learner members in cluster', 'too-many-learners'],
      ['etcdserver: can only promote a learner member which is in sync with leader', 'learner-not-ready'],
      ['etcdserver: can only promote a learner member', 'member-not-learner'],
      ['etcdserver: unhealthy cluster', 'unhealthy-cluster'],
      ['etcdserver: re-configuration failed due to not enough started members', 'not-enough-started-members'],
      ['etcdserver: member not found', 'member-not-found'],
      ['the member has been permanently removed from the cluster', 'permanently-removed'],
      [
        'tocommit(5) is out of range [lastIndex(0)]. Was the raft log corrupted, truncated, or lost?',
        'raft-panic',
      ],
    ];
    for (const [text, code] of cases) expect([text, classifyEtcdMessage(text)]).toEqual([text, code]);
    expect(classifyEtcdMessage('something else')).toBeNull();
  });

  it('F§4: a timeout is indefinite (maybe applied); checks made before proposing are definite', () => {
    expect(etcdError('timeout')).toEqual({
      code: 'timeout',
      message: 'context deadline exceeded',
      definite: false,
    });
    const definite = (Object.keys(ETCD_ERRORS) as EtcdErrorCode[]).filter((c) => ETCD_ERRORS[c].definite);
    expect(definite).not.toContain('timeout');
    expect(definite).toContain('learner-rpc');
    expect(definite).toContain('unhealthy-cluster');
  });
});

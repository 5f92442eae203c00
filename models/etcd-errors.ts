// etcd's client-visible errors: one code per distinct etcd error, etcd's own text, and whether the error is
// *definite* (the request certainly had no effect) or *indefinite* (it may have been applied), in the way
// Maelstrom marks errors. Shared by the abstract model (models/etcd-cluster.ts) and the real-etcd client
// (sim/remote/etcd/client.ts), so the differential suite compares the same codes on both sides (F§4).

export type EtcdErrorCode =
  | 'timeout'
  | 'learner-rpc'
  | 'too-many-learners'
  | 'learner-not-ready'
  | 'member-not-learner'
  | 'unhealthy-cluster'
  | 'not-enough-started-members'
  | 'member-not-found'
  | 'peer-url-exists'
  | 'permanently-removed'
  | 'raft-panic'
  | 'unavailable';

export interface EtcdErrorInfo {
  /** etcd's own text (for 'raft-panic' the fixed part; the model fills in the indexes). */
  message: string;
  /** True when the request certainly had no effect. When in doubt: false. */
  definite: boolean;
}

/**
 * Why each code is (in)definite: a timeout may have been proposed and committed later; every check that
 * etcd makes before proposing (learner gate, mayAddMember, mayPromoteMember, ...) rejects the request
 * before anything enters the log.
 */
export const ETCD_ERRORS: Readonly<Record<EtcdErrorCode, EtcdErrorInfo>> = {
  // F§4: without quorum a request waits and times out. The Go client says "context deadline exceeded"
  // when its own deadline passes first; the server says "etcdserver: request timed out" after 7 s.
  timeout: { message: 'context deadline exceeded', definite: false },
  'learner-rpc': { message: 'etcdserver: rpc not supported for learner', definite: true },
  'too-many-learners': { message: 'etcdserver: too many learner members in cluster', definite: true },
  'learner-not-ready': {
    message: 'etcdserver: can only promote a learner member which is in sync with leader',
    definite: true,
  },
  'member-not-learner': { message: 'etcdserver: can only promote a learner member', definite: true },
  'unhealthy-cluster': { message: 'etcdserver: unhealthy cluster', definite: true },
  'not-enough-started-members': {
    message: 'etcdserver: re-configuration failed due to not enough started members',
    definite: true,
  },
  'member-not-found': { message: 'etcdserver: member not found', definite: true },
  'peer-url-exists': { message: 'etcdserver: Peer URLs already exists', definite: true },
  // Process exits rather than RPC errors: the text is what the member logs before it exits.
  'permanently-removed': {
    message: 'the member has been permanently removed from the cluster',
    definite: true,
  },
  'raft-panic': { message: 'is out of range [lastIndex(', definite: true },
  // The member's client port does not answer (process down): the request never reached etcd.
  unavailable: { message: 'connection refused', definite: true },
};

/** An operating error of an etcd request, as a value. */
export interface EtcdError {
  code: EtcdErrorCode;
  message: string;
  definite: boolean;
}

export function etcdError(code: EtcdErrorCode, message?: string): EtcdError {
  const info = ETCD_ERRORS[code];
  return { code, message: message ?? info.message, definite: info.definite };
}

/**
 * The code for a message printed by etcd or its client, or null for an unknown message. Longer, more
 * specific texts are tested first ("can only promote a learner member which is in sync" before "can only
 * promote a learner member").
 */
export function classifyEtcdMessage(text: string): EtcdErrorCode | null {
  if (text.includes('request timed out') || text.includes('context deadline exceeded')) return 'timeout';
  if (text.includes('leader changed')) return 'timeout';
  const order: EtcdErrorCode[] = [
    'learner-not-ready',
    'member-not-learner',
    'learner-rpc',
    'too-many-learners',
    'unhealthy-cluster',
    'not-enough-started-members',
    'member-not-found',
    'peer-url-exists',
    'permanently-removed',
    'raft-panic',
    'unavailable',
  ];
  for (const code of order) if (text.includes(ETCD_ERRORS[code].message)) return code;
  if (text.includes('ECONNREFUSED')) return 'unavailable';
  return null;
}

// Real etcd 3.4 for the lab: processes, peer proxies, a client and a cluster harness (the real-node agent
// and test/differential/ use them). This is the real-node adapter: it reads wall-clock time on purpose.
export {
  ETCD_BINARY,
  ETCD_TIMING_FLAGS,
  EtcdProcess,
  etcdArgs,
  freePort,
  killAllTracked,
  trackedPids,
} from './process.js';
export type { EtcdExit, EtcdProcessSpec } from './process.js';
export { PeerCuts, PeerProxy } from './proxy.js';
export { DEFAULT_COMMAND_TIMEOUT_MS, EtcdClient } from './client.js';
export type { EtcdResult, RealMember, RealStatus } from './client.js';
export { RealEtcdCluster, pollFor, sleep } from './cluster.js';
export type { RealClusterOptions, RealMemberHandle } from './cluster.js';

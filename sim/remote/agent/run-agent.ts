// Starting an agent process: one AgentNode behind the node gRPC server, with the rules that keep it from
// leaving processes behind (issue 10 item 2). Every etcd child is tracked by pid (etcd/process.ts) and:
// - killed by the 'exit' hook on any exit of this process, the ones below included;
// - killed after a graceful stop on SIGINT/SIGTERM (then exit 0);
// - killed on an agent crash (uncaughtException / unhandledRejection: exit 3, a bug);
// - killed by the kernel when this process is SIGKILLed: etcd runs under `setpriv --pdeathsig SIGKILL`.
import type { NodeTiming } from '../../../models/node.js';
import type { BootloaderProfile, Role, TalosProfile } from '../../../models/types.js';
import { freePort, killAllTracked } from '../etcd/process.js';
import { EventHub } from '../events.js';
import { NodeServer, type TlsFiles } from '../server.js';
import { AgentNode } from './agent-node.js';

/**
 * The scenario defaults (sim/scenario/load.ts DEFAULT_TIMING), in model ms: an agent boots in about a
 * minute of model time, i.e. about a second at --speed 60.
 */
export const AGENT_TIMING: NodeTiming = {
  firmware: { minMs: 5_000, maxMs: 10_000 },
  kernel: { minMs: 3_000, maxMs: 6_000 },
  init: { minMs: 20_000, maxMs: 40_000 },
  ready: { minMs: 10_000, maxMs: 30_000 },
  cordon: { minMs: 1_000, maxMs: 3_000 },
  drain: { minMs: 30_000, maxMs: 30_000 },
  install: { minMs: 60_000, maxMs: 60_000 },
};

export interface AgentConfig {
  name: string;
  role: Role;
  listen: string;
  dir: string;
  version: string;
  speed: number;
  seed: number;
  profile: TalosProfile | null;
  bootloader: BootloaderProfile;
  /** Control planes: the advertised peer port (the isolate proxy) and the client port. */
  etcdPeerPort: number | null;
  etcdClientPort: number | null;
  /** etcd client URLs of the other control planes. */
  peers: string[];
  initialCluster: string | null;
  clusterToken: string;
  /** The lab's shared folder (shared-isolation.ts). */
  labDir?: string;
  tls?: TlsFiles;
}

export interface RunningAgent {
  node: AgentNode;
  server: NodeServer;
  port: number;
  stop(): Promise<void>;
}

/** Start the node and its server (in this process; the CLI adds the signal handling). */
export async function startAgent(c: AgentConfig): Promise<RunningAgent> {
  const events = new EventHub();
  const etcd =
    c.role === 'controlplane'
      ? {
          clientPort: c.etcdClientPort!,
          proxyPort: c.etcdPeerPort!,
          // etcd itself listens on a private port behind the proxy; only the proxy's port is advertised.
          peerPort: await freePort(),
          clusterToken: c.clusterToken,
          ...(c.initialCluster ? { initialCluster: c.initialCluster } : {}),
        }
      : null;
  const node = new AgentNode({
    name: c.name,
    role: c.role,
    dir: c.dir,
    version: c.version,
    bootloader: c.bootloader,
    profile: c.profile,
    timing: AGENT_TIMING,
    speed: c.speed,
    rngSeed: c.seed,
    etcd,
    peers: c.peers,
    events,
    ...(c.labDir ? { labDir: c.labDir } : {}),
  });
  const server = new NodeServer(node, { listen: c.listen, events, ...(c.tls ? { tls: c.tls } : {}) });
  const port = await server.start();
  await node.start();
  return {
    node,
    server,
    port,
    async stop() {
      await node.shutdown();
      await server.stop(500);
    },
  };
}

/** Process-level guards of an agent process: signals and crashes end every child. */
export function guardAgentProcess(agent: RunningAgent): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Bounded: a graceful stop that hangs must not keep the process (and its children) alive.
    const force = setTimeout(() => process.exit(0), 15_000);
    force.unref();
    void agent.stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const crash = (err: unknown) => {
    killAllTracked();
    process.stderr.write(
      `upgradelab agent: internal error (a bug): ${(err as Error)?.stack ?? String(err)}\n`,
    );
    process.exit(3);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

// `upgradelab agent`: one real node on this machine (sim/remote/agent/): the node model on wall-clock time x
// --speed over a folder disk and a real etcd member, served over the node gRPC service. Loopback only
// unless given mutual TLS. Runs until SIGINT/SIGTERM; never leaves its etcd behind (run-agent.ts).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  BOOTLOADER_PROFILES,
  TALOS_PROFILES,
  type BootloaderProfile,
  type TalosProfile,
} from '../../models/types.js';
import { AGENT_SPEED_MAX } from '../remote/agent/wall-clock.js';
import { guardAgentProcess, startAgent } from '../remote/agent/run-agent.js';
import { RemoteConfigError, splitHostPort } from '../remote/server.js';
import { startFailure } from './start-failure.js';
import { readTlsFlags, type TlsFlags } from './tls-options.js';

interface AgentFlags extends TlsFlags {
  name: string;
  role: string;
  listen: string;
  dir: string;
  talosVersion: string;
  speed: string;
  seed: string;
  profile?: string;
  bootloader: string;
  etcdPeerPort?: string;
  etcdClientPort?: string;
  peers: string;
  initialCluster?: string;
  clusterToken: string;
  labDir?: string;
}

function port(flag: string, v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new RemoteConfigError(`${flag}: want a port 1-65535, got ${v}`);
  return n;
}

/** `--peers 127.0.0.1:2379,http://127.0.0.1:2479` -> etcd client URLs. */
export function parsePeers(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const url = s.startsWith('http://') ? s : `http://${s}`;
      if (!/^http:\/\/[^/:]+:\d{1,5}$/.test(url))
        throw new RemoteConfigError(`--peers: want host:port, got ${s}`);
      return url;
    });
}

async function agent(o: AgentFlags): Promise<void> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(o.name))
    throw new RemoteConfigError(`--name: want a hostname, got ${o.name}`);
  if (o.role !== 'controlplane' && o.role !== 'worker')
    throw new RemoteConfigError(`--role: controlplane or worker, got ${o.role}`);
  splitHostPort(o.listen);
  const speed = Number(o.speed);
  if (!(speed > 0 && speed <= AGENT_SPEED_MAX))
    throw new RemoteConfigError(`--speed: want a number in (0, ${AGENT_SPEED_MAX}], got ${o.speed}`);
  if (!/^v\d+\.\d+\.\d+$/.test(o.talosVersion))
    throw new RemoteConfigError(`--talos-version: want vX.Y.Z, got ${o.talosVersion}`);
  if (o.profile !== undefined && !TALOS_PROFILES.includes(o.profile as TalosProfile))
    throw new RemoteConfigError(`--profile: one of ${TALOS_PROFILES.join(', ')}, got ${o.profile}`);
  if (!BOOTLOADER_PROFILES.includes(o.bootloader as BootloaderProfile))
    throw new RemoteConfigError(
      `--bootloader: one of ${BOOTLOADER_PROFILES.join(', ')}, got ${o.bootloader}`,
    );
  const seed = Number(o.seed);
  if (!Number.isInteger(seed)) throw new RemoteConfigError(`--seed: want an integer, got ${o.seed}`);
  const etcdPeerPort = port('--etcd-peer-port', o.etcdPeerPort);
  const etcdClientPort = port('--etcd-client-port', o.etcdClientPort);
  if (o.role === 'controlplane' && (etcdPeerPort === null || etcdClientPort === null))
    throw new RemoteConfigError('a control plane needs --etcd-peer-port and --etcd-client-port');
  const tls = readTlsFlags(o);
  const running = await startAgent({
    name: o.name,
    role: o.role,
    listen: o.listen,
    dir: resolve(o.dir),
    version: o.talosVersion,
    speed,
    seed,
    profile: (o.profile as TalosProfile | undefined) ?? null,
    bootloader: o.bootloader as BootloaderProfile,
    etcdPeerPort,
    etcdClientPort,
    peers: parsePeers(o.peers),
    initialCluster: o.initialCluster ?? null,
    clusterToken: o.clusterToken,
    ...(o.labDir ? { labDir: o.labDir } : {}),
    ...(tls ? { tls } : {}),
  });
  guardAgentProcess(running);
  const host = o.listen.slice(0, o.listen.lastIndexOf(':'));
  process.stdout.write(
    `listening ${host}:${running.port}\n` +
      `agent ${o.name} (${o.role}) over ${resolve(o.dir)}: wall-clock time x ${speed}, not deterministic${tls ? ', mutual TLS' : ''}\n`,
  );
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      'run one real node: the node model on wall-clock time over a folder disk and a real etcd member',
    )
    .requiredOption('--name <name>', 'node name (hostname)')
    .requiredOption(
      '--dir <dir>',
      'the node disk: BOOT, META, STATE, EPHEMERAL folders (installed on first start)',
    )
    .option('--role <role>', 'controlplane or worker', 'controlplane')
    .option('--listen <host:port>', 'node service address (non-loopback needs mutual TLS)', '127.0.0.1:50000')
    .option('--etcd-peer-port <p>', 'etcd peer port others use (the isolate proxy listens there)')
    .option('--etcd-client-port <c>', 'etcd client port')
    .option('--peers <list>', 'etcd client addresses (host:port,...) of the other control planes', '')
    .option(
      '--initial-cluster <list>',
      'first start only: name=http://127.0.0.1:PEERPORT,... to bootstrap etcd',
    )
    .option('--cluster-token <t>', 'etcd initial cluster token', 'upgradelab')
    .option('--lab-dir <dir>', "a folder the lab's agents share: isolate then cuts this member both ways")
    .option('--talos-version <v>', 'Talos version installed on first start', 'v1.8.0')
    .option(
      '--speed <x>',
      `model ms per wall-clock ms (boot timings and Talos timeouts; at most ${AGENT_SPEED_MAX})`,
      '1',
    )
    .option('--seed <n>', 'seed of the stage-delay draws', '1')
    .option('--profile <p>', 'Talos rule-set override (default: the running version decides)')
    .option('--bootloader <b>', 'bootloader profile', 'talos')
    .option('--tls-ca <file>', 'CA certificate (PEM) that signs client certificates')
    .option('--tls-cert <file>', 'server certificate (PEM)')
    .option('--tls-key <file>', 'server private key (PEM)')
    .action((opts: AgentFlags) => {
      agent(opts).catch(startFailure('agent'));
    });
}

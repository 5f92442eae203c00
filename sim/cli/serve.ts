// `upgradelab serve SCENARIO`: every simulated node of the scenario behind the node service (proto/), on
// wall-clock time x --speed, so a controller in any language can drive a simulated cluster. Runs until
// SIGINT/SIGTERM. The scenario's faults and upgrade are not scheduled: the client is the orchestrator.
import type { Command } from 'commander';
import { loadScenarioFile } from '../scenario/load.js';
import { LiveSimulation, SPEED_MAX } from '../remote/live.js';
import { NodeServer, RemoteConfigError } from '../remote/server.js';
import { startFailure } from './start-failure.js';
import { readTlsFlags, type TlsFlags } from './tls-options.js';

interface ServeFlags extends TlsFlags {
  speed: string;
  listen: string;
  seed?: string;
}

export async function serve(file: string, o: ServeFlags): Promise<void> {
  const speed = Number(o.speed);
  if (!(speed > 0 && speed <= SPEED_MAX))
    throw new RemoteConfigError(`--speed: want a number in (0, ${SPEED_MAX}], got ${o.speed}`);
  const scenario = loadScenarioFile(file);
  const tls = readTlsFlags(o);
  const seed = o.seed === undefined ? scenario.seed : /^-?\d+$/.test(o.seed) ? Number(o.seed) : o.seed;
  const live = new LiveSimulation(scenario, { speed, seed });
  const server = new NodeServer(live.api, { listen: o.listen, events: live.events, ...(tls ? { tls } : {}) });
  const port = await server.start();
  live.start();
  const host = o.listen.slice(0, o.listen.lastIndexOf(':'));
  const address = `${host}:${port}`;
  const out = [
    `listening ${address}`,
    `serving ${scenario.name} (${file}), seed ${seed}, ${live.api.nodes().length} nodes at ${speed}x wall-clock time${tls ? ', mutual TLS' : ''}`,
    'nodes (name each call with gRPC metadata node=NAME; proto/PROTOCOL.md):',
    ...scenario.cluster.nodes.map((n) => `  - { name: ${n.name}, role: ${n.role}, attach: ${address} }`),
  ];
  process.stdout.write(out.join('\n') + '\n');
  const stop = () => {
    live.stop();
    void server.stop(500).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve every simulated node of a scenario over the node gRPC service (Talos API subset + lab)',
    )
    .argument('<file>', 'scenario YAML file')
    .option('--speed <x>', 'virtual ms per wall-clock ms', '1')
    .option('--listen <host:port>', 'address to listen on (non-loopback needs mutual TLS)', '127.0.0.1:50000')
    .option('--seed <seed>', 'override the scenario seed')
    .option('--tls-ca <file>', 'CA certificate (PEM) that signs client certificates')
    .option('--tls-cert <file>', 'server certificate (PEM)')
    .option('--tls-key <file>', 'server private key (PEM)')
    .action((file: string, opts: ServeFlags) => {
      serve(file, opts).catch(startFailure('serve'));
    });
}

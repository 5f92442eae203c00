// `upgradelab cluster up|down --dir D`: a local lab of agents on 127.0.0.1 (sim/remote/agent/lab-cluster.ts).
// `up` prints the scenario `nodes:` block and the `upgrade --attach` argument; `down` stops every agent whose
// pid D/cluster.json records (their etcd members die with them).
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AGENT_SPEED_MAX } from '../remote/agent/wall-clock.js';
import { LAB_NODES_MAX, labAttachText, labDown, labUp } from '../remote/agent/lab-cluster.js';
import { RemoteConfigError } from '../remote/server.js';
import { startFailure } from './start-failure.js';

interface UpFlags {
  controlPlanes: string;
  workers: string;
  dir: string;
  talosVersion: string;
  speed: string;
}

function count(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > LAB_NODES_MAX)
    throw new RemoteConfigError(`${flag}: want an integer ${min}..${LAB_NODES_MAX}, got ${v}`);
  return n;
}

async function up(o: UpFlags): Promise<void> {
  const controlPlanes = count('--control-planes', o.controlPlanes, 1);
  const workers = count('--workers', o.workers, 0);
  if (controlPlanes + workers > LAB_NODES_MAX)
    throw new RemoteConfigError(`at most ${LAB_NODES_MAX} nodes in a local lab`);
  const speed = Number(o.speed);
  if (!(speed > 0 && speed <= AGENT_SPEED_MAX))
    throw new RemoteConfigError(`--speed: want a number in (0, ${AGENT_SPEED_MAX}], got ${o.speed}`);
  if (!/^v\d+\.\d+\.\d+$/.test(o.talosVersion))
    throw new RemoteConfigError(`--talos-version: want vX.Y.Z, got ${o.talosVersion}`);
  const dir = resolve(o.dir);
  // The agents run the same CLI as this process.
  const cli = fileURLToPath(new URL('./main.js', import.meta.url));
  const lab = await labUp({ dir, controlPlanes, workers, version: o.talosVersion, speed, cli });
  const { nodesBlock, attach } = labAttachText(lab);
  process.stdout.write(
    [
      `lab of ${lab.nodes.length} agents in ${dir} (pids in ${dir}/cluster.json), speed ${speed}:`,
      ...lab.nodes.map((n) => `  ${n.name} ${n.role} ${n.address} pid ${n.pid}`),
      'scenario cluster block:',
      nodesBlock,
      `upgrade it: upgradelab upgrade SCENARIO --speed ${speed} --attach ${attach}`,
      `stop it:    upgradelab cluster down --dir ${dir}`,
    ].join('\n') + '\n',
  );
}

async function down(o: { dir: string }): Promise<void> {
  const stopped = await labDown(resolve(o.dir));
  process.stdout.write(
    `stopped ${stopped.length} agent(s)${stopped.length ? `: ${stopped.join(' ')}` : ''}\n`,
  );
}

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('a local lab of real node agents on 127.0.0.1');
  cluster
    .command('up')
    .description('start agents (ports chosen free) and print how to attach them')
    .requiredOption('--dir <dir>', 'lab folder: one disk and log per node, pids in cluster.json')
    .option('--control-planes <n>', 'control planes (real etcd members)', '3')
    .option('--workers <n>', 'workers', '0')
    .option('--talos-version <v>', 'Talos version installed on every node', 'v1.8.0')
    .option('--speed <x>', 'model ms per wall-clock ms for every agent', '60')
    .action((opts: UpFlags) => {
      up(opts).catch(startFailure('cluster up'));
    });
  cluster
    .command('down')
    .description('stop every agent of the lab in --dir')
    .requiredOption('--dir <dir>', 'lab folder given to cluster up')
    .action((opts: { dir: string }) => {
      down(opts).catch(startFailure('cluster down'));
    });
}

// `upgradelab upgrade SCENARIO --attach host:port`: the scenario's upgrade (target and policy) driven over
// gRPC against served or real nodes, by the same orchestrator a simulated run uses. Prints each
// orchestrator step; exits 0 when every node reached the target, 1 when the policy halted or timed out.
import type { Command } from 'commander';
import { Orchestrator } from '../orchestrator/orchestrator.js';
import { GrpcNodeApi } from '../remote/client.js';
import { RemoteConfigError, splitHostPort } from '../remote/server.js';
import { loadScenarioFile } from '../scenario/load.js';
import { startFailure } from './start-failure.js';
import { readTlsFlags, type TlsFlags } from './tls-options.js';

interface UpgradeFlags extends TlsFlags {
  attach: string;
  speed: string;
  timeout: string;
}

async function upgrade(file: string, o: UpgradeFlags): Promise<void> {
  const scenario = loadScenarioFile(file);
  if (!scenario.upgrade) throw new RemoteConfigError(`${file}: no upgrade block (to, policy)`);
  splitHostPort(o.attach);
  const speed = Number(o.speed);
  if (!(speed > 0)) throw new RemoteConfigError(`--speed: want a positive number, got ${o.speed}`);
  const timeoutMs = Number(o.timeout) * 1000;
  if (!(timeoutMs > 0)) throw new RemoteConfigError(`--timeout: want seconds > 0, got ${o.timeout}`);
  const tls = readTlsFlags(o);
  // A node with its own `attach:` is reached there; the others at --attach (a serve process).
  const api = new GrpcNodeApi({
    targets: scenario.cluster.nodes.map((n) => ({ name: n.name, address: n.attach ?? o.attach })),
    speed,
    ...(tls ? { tls, serverName: splitHostPort(o.attach).host } : {}),
  });
  const u = scenario.upgrade;
  const orch = new Orchestrator(api, u.to, u.policy, scenario.cluster.nodes, (step, node, detail) =>
    process.stdout.write(
      `${new Date().toISOString()} ${step}${node ? ` ${node}` : ''}${detail ? `: ${detail}` : ''}\n`,
    ),
  );
  orch.start();
  const started = Date.now();
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (orch.finished || Date.now() - started > timeoutMs) {
        clearInterval(poll);
        resolve();
      }
    }, 100);
  });
  api.close();
  const r = orch.report();
  const ok = orch.finished && !r.halted && Object.values(r.outcomes).every((x) => x === 'done');
  process.stdout.write(
    `${ok ? 'result: PASS' : 'result: FAIL'} (${Object.entries(r.outcomes)
      .map(([n, x]) => `${n} ${x}`)
      .join(', ')}; ${((Date.now() - started) / 1000).toFixed(1)} s wall)\n`,
  );
  process.exit(ok ? 0 : 1);
}

export function registerUpgrade(program: Command): void {
  program
    .command('upgrade')
    .description("drive the scenario's upgrade over gRPC against served or real nodes (see serve)")
    .argument('<file>', 'scenario YAML file (its nodes, upgrade.to and policy)')
    .requiredOption('--attach <host:port>', 'node service address for nodes without their own attach:')
    .option('--speed <x>', 'the served cluster speed (policy timings run this much faster)', '1')
    .option('--timeout <s>', 'give up after this many wall-clock seconds', '3600')
    .option('--tls-ca <file>', 'CA certificate (PEM) of the node service')
    .option('--tls-cert <file>', 'client certificate (PEM); its O= is the role (os:admin to upgrade)')
    .option('--tls-key <file>', 'client private key (PEM)')
    .action((file: string, opts: UpgradeFlags) => {
      upgrade(file, opts).catch(startFailure('upgrade'));
    });
}

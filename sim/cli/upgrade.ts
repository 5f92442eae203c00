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

/**
 * `--attach host:port` (one service serves every node, e.g. `serve`) or `--attach cp1=host:port,cp2=...`
 * (one agent per node, as `cluster up` prints it). Returns node -> address, '*' for the single form.
 */
export function parseAttach(v: string, nodes: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (!v.includes('=')) {
    splitHostPort(v);
    out.set('*', v);
    return out;
  }
  for (const part of v.split(',').filter((s) => s.length > 0)) {
    const [name, address] = part.split('=', 2) as [string, string | undefined];
    if (!nodes.includes(name))
      throw new RemoteConfigError(`--attach: unknown node '${name}' (nodes: ${nodes.join(', ')})`);
    if (address === undefined) throw new RemoteConfigError(`--attach: want name=host:port, got ${part}`);
    splitHostPort(address);
    out.set(name, address);
  }
  const missing = nodes.filter((n) => !out.has(n));
  if (missing.length > 0) throw new RemoteConfigError(`--attach: no address for ${missing.join(', ')}`);
  return out;
}

async function upgrade(file: string, o: UpgradeFlags): Promise<void> {
  const scenario = loadScenarioFile(file);
  if (!scenario.upgrade) throw new RemoteConfigError(`${file}: no upgrade block (to, policy)`);
  const attach = parseAttach(
    o.attach,
    scenario.cluster.nodes.map((n) => n.name),
  );
  const speed = Number(o.speed);
  if (!(speed > 0)) throw new RemoteConfigError(`--speed: want a positive number, got ${o.speed}`);
  const timeoutMs = Number(o.timeout) * 1000;
  if (!(timeoutMs > 0)) throw new RemoteConfigError(`--timeout: want seconds > 0, got ${o.timeout}`);
  const tls = readTlsFlags(o);
  // A node with its own `attach:` is reached there; the others at --attach (a serve process).
  const api = new GrpcNodeApi({
    targets: scenario.cluster.nodes.map((n) => ({
      name: n.name,
      address: n.attach ?? attach.get(n.name) ?? attach.get('*')!,
    })),
    speed,
    ...(tls ? { tls, serverName: splitHostPort([...attach.values()][0]!).host } : {}),
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
    .requiredOption(
      '--attach <addr>',
      'host:port of a service serving every node, or name=host:port,... (one per node, as cluster up prints)',
    )
    .option('--speed <x>', 'the served cluster speed (policy timings run this much faster)', '1')
    .option('--timeout <s>', 'give up after this many wall-clock seconds', '3600')
    .option('--tls-ca <file>', 'CA certificate (PEM) of the node service')
    .option('--tls-cert <file>', 'client certificate (PEM); its O= is the role (os:admin to upgrade)')
    .option('--tls-key <file>', 'client private key (PEM)')
    .action((file: string, opts: UpgradeFlags) => {
      upgrade(file, opts).catch(startFailure('upgrade'));
    });
}

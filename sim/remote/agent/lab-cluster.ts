// A local lab of agents (`upgradelab cluster up/down`): one `upgradelab agent` process per node on
// 127.0.0.1 with ports the kernel picked free, each with its disk under DIR/<name>/disk and its log in
// DIR/<name>/agent.log. DIR/cluster.json records every pid so `cluster down` (another process, later) can
// stop them all; the agents' etcd members die with their agent (run-agent.ts).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite } from './disk.js';
import { freePort } from '../etcd/process.js';
import { RemoteConfigError } from '../server.js';

export interface LabNode {
  name: string;
  role: 'controlplane' | 'worker';
  pid: number;
  /** host:port of its node service. */
  address: string;
  etcdClientPort: number | null;
  etcdPeerPort: number | null;
}

export interface LabFile {
  version: 1;
  nodes: LabNode[];
}

export interface LabUpOptions {
  dir: string;
  controlPlanes: number;
  workers: number;
  version: string;
  speed: number;
  /** The CLI entry point to run agents with (dist/sim/cli/main.js). */
  cli: string;
  /** How long to wait for each agent to print its address. */
  startTimeoutMs?: number;
}

export const LAB_FILE = 'cluster.json';
export const LAB_NODES_MAX = 16;

export function readLab(dir: string): LabFile | null {
  const f = join(dir, LAB_FILE);
  if (!existsSync(f)) return null;
  return JSON.parse(readFileSync(f, 'utf8')) as LabFile;
}

/** Whether `pid` is alive and is an upgradelab agent (a recycled pid must never be signalled). */
export function isAgentPid(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie (state Z) is dead, only not yet reaped.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && cmd.split('\0').includes('agent');
  } catch {
    return false;
  }
}

async function waitListening(log: string, pid: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    const m = /listening (\S+)/.exec(text);
    if (m) return m[1]!;
    if (!isAgentPid(pid))
      throw new RemoteConfigError(`agent ${pid} exited before it listened: ${text.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new RemoteConfigError(`agent ${pid} did not listen within ${timeoutMs} ms (log ${log})`);
}

/** Start the lab; on any failure the agents already started are stopped again. */
export async function labUp(o: LabUpOptions): Promise<LabFile> {
  if (readLab(o.dir)?.nodes.some((n) => isAgentPid(n.pid)))
    throw new RemoteConfigError(
      `${o.dir} already holds a running lab: run 'upgradelab cluster down --dir ${o.dir}' first`,
    );
  const total = o.controlPlanes + o.workers;
  if (o.controlPlanes < 1 || total > LAB_NODES_MAX)
    throw new RangeError(`labUp: 1..${LAB_NODES_MAX} nodes with at least one control plane`);
  mkdirSync(o.dir, { recursive: true });
  const cps = Array.from({ length: o.controlPlanes }, (_, i) => `cp${i + 1}`);
  const ports = new Map<string, { client: number; peer: number }>();
  for (const cp of cps) ports.set(cp, { client: await freePort(), peer: await freePort() });
  const initialCluster = cps.map((cp) => `${cp}=http://127.0.0.1:${ports.get(cp)!.peer}`).join(',');
  const names = [...cps, ...Array.from({ length: o.workers }, (_, i) => `w${i + 1}`)];
  const lab: LabFile = { version: 1, nodes: [] };
  try {
    for (const name of names) {
      const cp = ports.get(name);
      const nodeDir = join(o.dir, name);
      mkdirSync(nodeDir, { recursive: true });
      const log = join(nodeDir, 'agent.log');
      const fd = openSync(log, 'w');
      const peers = cps
        .filter((c) => c !== name)
        .map((c) => `127.0.0.1:${ports.get(c)!.client}`)
        .join(',');
      const args = [
        o.cli,
        'agent',
        '--name',
        name,
        '--role',
        cp ? 'controlplane' : 'worker',
        '--dir',
        join(nodeDir, 'disk'),
        '--listen',
        '127.0.0.1:0',
        '--talos-version',
        o.version,
        '--speed',
        String(o.speed),
        '--peers',
        peers,
        '--lab-dir',
        o.dir,
        ...(cp
          ? [
              '--etcd-client-port',
              String(cp.client),
              '--etcd-peer-port',
              String(cp.peer),
              '--initial-cluster',
              initialCluster,
            ]
          : []),
      ];
      // Detached: the lab outlives this command; `cluster down` stops it by the recorded pids.
      const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      child.unref();
      const pid = child.pid;
      if (pid === undefined) throw new Error(`could not start the agent of ${name}`);
      const node: LabNode = {
        name,
        role: cp ? 'controlplane' : 'worker',
        pid,
        address: '',
        etcdClientPort: cp?.client ?? null,
        etcdPeerPort: cp?.peer ?? null,
      };
      lab.nodes.push(node);
      atomicWrite(join(o.dir, LAB_FILE), JSON.stringify(lab, null, 2));
    }
    // The agents start side by side: the control planes' etcd members need each other to elect a leader.
    await Promise.all(
      lab.nodes.map(async (n) => {
        n.address = await waitListening(join(o.dir, n.name, 'agent.log'), n.pid, o.startTimeoutMs ?? 30_000);
      }),
    );
    atomicWrite(join(o.dir, LAB_FILE), JSON.stringify(lab, null, 2));
    return lab;
  } catch (err) {
    await labDown(o.dir);
    throw err;
  }
}

/** Stop every agent of the lab: SIGTERM, then SIGKILL after `graceMs`. Returns the pids that were running. */
export async function labDown(dir: string, graceMs = 10_000): Promise<number[]> {
  const lab = readLab(dir);
  if (!lab) return [];
  const running = lab.nodes.map((n) => n.pid).filter(isAgentPid);
  for (const pid of running) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && running.some(isAgentPid)) await new Promise((r) => setTimeout(r, 100));
  for (const pid of running.filter(isAgentPid)) process.kill(pid, 'SIGKILL');
  return running;
}

/** The scenario `nodes:` block and the `upgrade --attach` argument for a running lab. */
export function labAttachText(lab: LabFile): { nodesBlock: string; attach: string } {
  const nodesBlock = [
    '  nodes:',
    ...lab.nodes.map((n) => `    - { name: ${n.name}, attach: ${n.address} }`),
  ].join('\n');
  const attach = lab.nodes.map((n) => `${n.name}=${n.address}`).join(',');
  return { nodesBlock, attach };
}

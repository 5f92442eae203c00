// An agent never leaves a process behind (issue 10 item 2): its etcd member ends when the agent is
// SIGKILLed (no handler runs: the parent-death signal does it) and on SIGTERM (graceful stop). Agents run as separate processes from dist/ (npm test builds first).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../sim/remote/etcd/process.js';
import { GrpcNodeApi } from '../../../../sim/remote/client.js';
import { CLI, realNodeFolder, TEARDOWN_MS } from '../../../helpers/lab.js';
import { pidsMentioning, waitGone } from '../../../helpers/processes.js';
import { ask, waitFor } from '../harness.js';

const folder = realNodeFolder('upgradelab-agent-proc-');
const root = folder.root;

// Whatever happened above: nothing that mentions our folder may survive.
afterAll(() => folder.teardown(), TEARDOWN_MS);

interface Started {
  name: string;
  child: ChildProcess;
  dir: string;
  address: string;
}

async function startAgent(name: string): Promise<Started> {
  const dir = join(root, name);
  const client = await freePort();
  const peer = await freePort();
  const child = spawn(
    process.execPath,
    [
      CLI,
      'agent',
      '--name',
      name,
      '--dir',
      dir,
      '--listen',
      '127.0.0.1:0',
      '--etcd-client-port',
      String(client),
      '--etcd-peer-port',
      String(peer),
      '--initial-cluster',
      `${name}=http://127.0.0.1:${peer}`,
      '--speed',
      '100',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out: string[] = [];
  child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start: ${out.join('')}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out.push(d.toString());
      const m = /listening (\S+)/.exec(out.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`agent exited ${code}: ${out.join('')}`)));
  });
  return { name, child, dir, address };
}

/** The agent's etcd: the process whose command line holds the agent's data dir and is not the agent. */
function etcdPids(s: Started): number[] {
  return pidsMentioning(join(s.dir, 'EPHEMERAL')).filter((p) => p !== s.child.pid);
}

async function runningEtcd(s: Started): Promise<number> {
  const api = new GrpcNodeApi({ targets: [{ name: s.name, address: s.address }], callTimeoutMs: 5_000 });
  try {
    // Ready means the model's boot waited for a linearizable read through the real member (F§2).
    await waitFor(
      'the agent Ready',
      async () => {
        const st = await ask<{ ready: boolean }>((r) => api.status(s.name, r));
        return st.ok && st.value.ready;
      },
      30_000,
    );
  } finally {
    api.close();
  }
  const pids = etcdPids(s);
  expect(pids).toHaveLength(1);
  return pids[0]!;
}

describe('upgradelab agent leaves no process behind', () => {
  it('SIGKILL of the agent: its etcd is gone within 5 s (parent-death signal)', async () => {
    const s = await startAgent('killed');
    const etcd = await runningEtcd(s);
    s.child.kill('SIGKILL');
    expect(await waitGone(join(s.dir, 'EPHEMERAL'), 5_000)).toEqual([]);
    expect(etcd).toBeGreaterThan(0);
  });

  it('SIGTERM: the agent stops its etcd and exits 0', async () => {
    const s = await startAgent('termed');
    await runningEtcd(s);
    const exited = new Promise<number | null>((r) => s.child.on('exit', (code) => r(code)));
    s.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await waitGone(join(s.dir, 'EPHEMERAL'), 5_000)).toEqual([]);
  });
});

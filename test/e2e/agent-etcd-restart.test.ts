// Regression (issue 10, the mixed-run canary where cp1 never became Ready on v1.10.0): an agent's upgrade
// stops etcd gracefully and reboots; when the graceful stop outlasted the reboot (a leader hands over first,
// F§4, and at --speed 60 a kexec reboot takes well under a second), the new boot's etcd start found the old
// process still alive, did nothing, and the node waited in init for an etcd that never came (the 70-min
// boot timeout). Talos stops its services before the reboot, so the new boot's etcd always starts (F§3).
// Here etcd is wrapped so that its graceful stop takes 3 s of wall time, and a one-node cluster is upgraded.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentNode } from '../../sim/remote/agent/agent-node.js';
import { AGENT_TIMING } from '../../sim/remote/agent/run-agent.js';
import { freePort } from '../../sim/remote/etcd/process.js';
import { EventHub } from '../../sim/remote/events.js';
import type { NodeStatus } from '../../sim/api/node-api.js';
import { realNodeFolder, TEARDOWN_MS } from '../helpers/lab.js';
import { ask, waitFor } from '../unit/remote/harness.js';

const folder = realNodeFolder('upgradelab-etcd-restart-');
const root = folder.root;
let agent: AgentNode | null = null;

// The in-process agent first (its etcd gracefully), then whatever still mentions the folder.
afterAll(() => folder.teardown(async () => agent?.shutdown()), TEARDOWN_MS);

/** etcd behind a shell that takes 3 s to pass SIGTERM on: a slow graceful stop. */
function slowStopEtcd(): string {
  const file = join(root, 'slow-stop-etcd.sh');
  writeFileSync(
    file,
    [
      '#!/bin/sh',
      '/usr/bin/etcd "$@" &',
      'pid=$!',
      "trap 'sleep 3; kill -TERM $pid; wait $pid; exit 0' TERM",
      'wait $pid',
      '',
    ].join('\n'),
  );
  chmodSync(file, 0o755);
  return file;
}

async function readyOn(node: AgentNode, version: string): Promise<boolean> {
  const r = await ask<NodeStatus>((reply) => node.status('cp1', reply));
  return r.ok && r.value.ready && r.value.version === version;
}

describe('an agent upgrade whose graceful etcd stop outlasts the reboot', () => {
  it('starts etcd on the new boot once the old process is gone, and the node gets Ready', async () => {
    const proxyPort = await freePort();
    agent = new AgentNode({
      name: 'cp1',
      role: 'controlplane',
      dir: join(root, 'cp1'),
      version: 'v1.9.0',
      bootloader: 'talos',
      profile: null,
      timing: AGENT_TIMING,
      speed: 60,
      rngSeed: 7,
      etcd: {
        clientPort: await freePort(),
        peerPort: await freePort(),
        proxyPort,
        clusterToken: 'etcd-restart-test',
        initialCluster: `cp1=http://127.0.0.1:${proxyPort}`,
      },
      peers: [],
      events: new EventHub(),
      etcdBinary: slowStopEtcd(),
    });
    await agent.start();
    const node = agent;
    await waitFor('cp1 Ready on v1.9.0', () => readyOn(node, 'v1.9.0'), 30_000);
    const up = await ask<string>((reply) =>
      node.upgrade(
        'cp1',
        { image: 'v1.10.0', preserve: false, stage: false, force: false, rebootMode: 'kexec' },
        reply,
      ),
    );
    expect(up.ok, JSON.stringify(up)).toBe(true);
    // Install (60 s model) + reboot + boot: about 3 s of wall time at speed 60, plus the 3-s stop. The bug
    // left the node in init until the 70-min boot timeout (70 s wall).
    await waitFor('cp1 Ready on v1.10.0', () => readyOn(node, 'v1.10.0'), 30_000);
  }, 90_000);
});

// Set-up and teardown of the tests that start real nodes (agents, real etcd): one temporary folder per test
// file, a lab of agents in it, and a teardown that proves nothing is left (issue 10: "every process is gone
// afterwards, even when the test fails"). Register the teardown with afterAll before starting anything.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { labDown, labUp, type LabFile } from '../../sim/remote/agent/lab-cluster.js';
import { GrpcNodeApi } from '../../sim/remote/client.js';
import { allReady, waitFor } from '../unit/remote/harness.js';
import { killPids, pidsMentioning, waitGone } from './processes.js';

/** The CLI the labs run their agents with (npm test builds it first). */
export const CLI = join(process.cwd(), 'dist/sim/cli/main.js');
/** Bound on the teardown, for afterAll's timeout. */
export const TEARDOWN_MS = 30_000;

export interface RealNodeFolder {
  root: string;
  /**
   * Stop a lab started in the folder (SIGTERM, SIGKILL after 5 s), SIGKILL by pid whatever still has the
   * folder on its command line (agents, etcd), assert none is alive, remove the folder. `before` runs first
   * (e.g. an in-process agent's shutdown) and may fail without stopping the rest.
   */
  teardown(before?: () => Promise<unknown>): Promise<void>;
}

export function realNodeFolder(prefix: string): RealNodeFolder {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return {
    root,
    async teardown(before) {
      try {
        await before?.();
      } finally {
        await labDown(root, 5_000);
        killPids(pidsMentioning(root));
        const left = await waitGone(root, 5_000);
        rmSync(root, { recursive: true, force: true });
        expect(left, `processes left behind in ${root}`).toEqual([]);
      }
    },
  };
}

export interface StartedLab {
  lab: LabFile;
  /** A client for every node of the lab. */
  api: GrpcNodeApi;
  /** The control planes' etcd client URLs. */
  endpoints: string[];
}

/** `cluster up` in `root` and wait until every node is Ready on `version` (the client is closed on failure). */
export async function startLab(
  root: string,
  o: { controlPlanes?: number; workers?: number; version?: string; speed: number; callTimeoutMs?: number },
): Promise<StartedLab> {
  const version = o.version ?? 'v1.8.0';
  const lab = await labUp({
    dir: root,
    controlPlanes: o.controlPlanes ?? 3,
    workers: o.workers ?? 0,
    version,
    speed: o.speed,
    cli: CLI,
  });
  const api = new GrpcNodeApi({
    targets: lab.nodes.map((n) => ({ name: n.name, address: n.address })),
    speed: o.speed,
    ...(o.callTimeoutMs ? { callTimeoutMs: o.callTimeoutMs } : {}),
  });
  try {
    await waitFor(`every agent Ready on ${version}`, () => allReady(api, version), 60_000);
  } catch (err) {
    api.close();
    throw err;
  }
  const endpoints = lab.nodes
    .filter((n) => n.role === 'controlplane')
    .map((n) => `http://127.0.0.1:${n.etcdClientPort}`);
  return { lab, api, endpoints };
}

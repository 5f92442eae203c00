// The node service over a live simulated cluster: Talos's calls answer like Talos's, bad requests get
// INVALID_ARGUMENT, and the orchestrator drives a rolling upgrade through the gRPC client (proto/PROTOCOL.md).
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../../sim/orchestrator/orchestrator.js';
import { NodeServer, RemoteConfigError } from '../../../sim/remote/server.js';
import { LiveSimulation } from '../../../sim/remote/live.js';
import { baseYaml, scenario } from '../../helpers/scenario.js';
import {
  allReady,
  ask,
  clientFor,
  firstMessage,
  rawCall,
  serveScenario,
  waitFor,
  type Served,
} from './harness.js';

let served: Served | null = null;
afterEach(async () => {
  await served?.close();
  served = null;
});

describe('node service over a simulated cluster', () => {
  it('answers Talos calls with Talos-shaped replies and names the node in metadata', async () => {
    served = await serveScenario(baseYaml({ cps: 3, workers: 1 }));
    const api = clientFor(served);
    try {
      await waitFor('cluster Ready', () => allReady(api, 'v1.7.6'));
      const v = await rawCall(served.address, 'machine', 'Version', {}, 'cp1');
      expect(v.err).toBeNull();
      const msg = firstMessage<{ metadata: { hostname: string }; version: { tag: string } }>(v);
      expect(msg.metadata.hostname).toBe('cp1');
      expect(msg.version.tag).toBe('v1.7.6');
      const members = await rawCall(
        served.address,
        'machine',
        'EtcdMemberList',
        { query_local: false },
        'cp2',
      );
      expect(members.err).toBeNull();
      const list = firstMessage<{ members: { id: string; hostname: string; is_learner: boolean }[] }>(
        members,
      ).members;
      expect(list.map((m) => m.hostname).sort()).toEqual(['cp1', 'cp2', 'cp3']);
      expect(list.every((m) => /^\d+$/.test(m.id) && m.id !== '0' && m.is_learner === false)).toBe(true);
      const services = await rawCall(served.address, 'machine', 'ServiceList', {}, 'cp1');
      const ids = firstMessage<{ services: { id: string }[] }>(services).services.map((s) => s.id);
      expect(ids).toContain('etcd');
      const worker = await rawCall(served.address, 'machine', 'ServiceList', {}, 'w1');
      const wids = firstMessage<{ services: { id: string }[] }>(worker).services.map((s) => s.id);
      expect(wids).not.toContain('etcd');
    } finally {
      api.close();
    }
  });

  it('refuses bad requests with INVALID_ARGUMENT naming the field, and keeps serving', async () => {
    served = await serveScenario(baseYaml({ cps: 1, workers: 1 }));
    const a = served.address;
    const cases: [string, string, unknown, string | undefined, RegExp][] = [
      ['machine', 'Version', {}, 'nope', /unknown node "nope"/],
      ['machine', 'Version', {}, undefined, /node: required/],
      ['machine', 'Upgrade', { image: 'not an image' }, 'cp1', /image: malformed image reference/],
      ['machine', 'Upgrade', { image: 'ghcr.io/siderolabs/installer:latest' }, 'cp1', /not a Talos version/],
      ['machine', 'Upgrade', { image: '' }, 'cp1', /image: required/],
      [
        'machine',
        'Reset',
        { reboot: true, system_partitions_to_wipe: [{ label: 'FOO', wipe: true }] },
        'cp1',
        /unknown label "FOO"/,
      ],
      ['machine', 'Reset', { reboot: false }, 'cp1', /reboot: must be true/],
      ['machine', 'Reset', { reboot: true, mode: 'USER_DISKS' }, 'cp1', /no user disks/],
      ['machine', 'EtcdRemoveMemberByID', { member_id: '0' }, 'cp1', /non-zero/],
      ['lab', 'Wipe', { node: 'cp1', label: 'HOME' }, undefined, /unknown label "HOME"/],
      [
        'lab',
        'FailNextBoot',
        { node: 'cp1', version: '1.8', stage: 'init' },
        undefined,
        /not a Talos version/,
      ],
      [
        'lab',
        'FailNextBoot',
        { node: 'cp1', version: 'v1.8.0', stage: 'bios' },
        undefined,
        /unknown stage "bios"/,
      ],
      ['lab', 'PowerOff', { node: 'cp1' }, 'w1', /metadata says w1/],
    ];
    for (const [service, method, req, node, message] of cases) {
      const r = await rawCall(a, service as 'machine' | 'lab', method, req, node);
      expect(r.err?.code, `${method} ${JSON.stringify(req)}`).toBe(grpc.status.INVALID_ARGUMENT);
      expect(r.err?.details).toMatch(message);
      expect(r.err?.metadata.get('x-upgradelab-definite')[0]).toBe('true');
    }
    const ok = await rawCall(a, 'machine', 'Version', {}, 'cp1');
    expect(ok.err).toBeNull();
  });

  it('refuses a non-loopback listener without mutual TLS', () => {
    const live = new LiveSimulation(scenario(baseYaml({ cps: 1, workers: 0 })), { speed: 1 });
    expect(() => new NodeServer(live.api, { listen: '0.0.0.0:0' })).toThrow(RemoteConfigError);
    expect(() => new NodeServer(live.api, { listen: '10.1.2.3:50000' })).toThrow(/without mutual TLS/);
    expect(() => new NodeServer(live.api, { listen: '127.0.0.1:0' })).not.toThrow();
  });

  it('the talosctl-like orchestrator upgrades every node through the gRPC client', async () => {
    served = await serveScenario(baseYaml({ cps: 3, workers: 1 }));
    const api = clientFor(served);
    try {
      await waitFor('cluster Ready', () => allReady(api, 'v1.7.6'));
      const s = scenario(baseYaml({ cps: 3, workers: 1 }));
      const steps: string[] = [];
      const orch = new Orchestrator(api, 'v1.8.0', s.upgrade!.policy, s.cluster.nodes, (step, node) =>
        steps.push(`${step}${node ? ` ${node}` : ''}`),
      );
      orch.start();
      await waitFor('orchestrator finished', async () => orch.finished, 45_000);
      const report = orch.report();
      expect(report.halted, steps.join('\n')).toBe(false);
      expect(Object.values(report.outcomes)).toEqual(['done', 'done', 'done', 'done']);
      expect(await allReady(api, 'v1.8.0')).toBe(true);
      const h = await ask<{ members: { learner: boolean; started: boolean }[] }>((r) =>
        api.etcdHealth('cp1', r),
      );
      expect(h.ok && h.value.members.every((m) => m.started && !m.learner)).toBe(true);
    } finally {
      api.close();
    }
  }, 60_000);
});

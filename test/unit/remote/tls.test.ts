// Security of the node service (proto/PROTOCOL.md, Security): mutual TLS with a CA, Talos-style roles from
// the client certificate's organisation, refusals logged in the node's event stream.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServices } from '../../../sim/remote/proto.js';
import { NodeServer } from '../../../sim/remote/server.js';
import { LiveSimulation } from '../../../sim/remote/live.js';
import type { TlsFiles } from '../../../sim/remote/server.js';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { baseYaml, scenario } from '../../helpers/scenario.js';
import { rawCall, serveScenario, type Served } from './harness.js';

let pki: TestPki;
let served: Served;
let reader: TlsFiles;
let operator: TlsFiles;
let admin: TlsFiles;

beforeAll(async () => {
  pki = makeTestPki();
  reader = pki.client('os:reader');
  operator = pki.client('os:operator');
  admin = pki.client('os:admin');
  served = await serveScenario(baseYaml({ cps: 1, workers: 1 }), { tls: pki.server });
});

afterAll(async () => {
  await served?.close();
  pki?.cleanup();
});

const OVERRIDE = { 'grpc.ssl_target_name_override': 'localhost' };
const creds = (t: TlsFiles) => grpc.credentials.createSsl(t.ca, t.key, t.cert);
const call = (method: string, req: unknown, who: TlsFiles, service: 'machine' | 'lab' = 'machine') =>
  rawCall(served.address, service, method, req, 'cp1', creds(who), OVERRIDE);
const UPGRADE = { image: 'ghcr.io/siderolabs/installer:v1.8.0' };

describe('mutual TLS and roles', () => {
  it('a listener on a non-loopback address starts only with TLS', () => {
    const live = new LiveSimulation(scenario(baseYaml({ cps: 1, workers: 0 })), { speed: 1 });
    expect(() => new NodeServer(live.api, { listen: '0.0.0.0:0' })).toThrow(/without mutual TLS/);
    expect(() => new NodeServer(live.api, { listen: '0.0.0.0:0', tls: pki.server })).not.toThrow();
  });

  it('refuses a client without a certificate, and one signed by another CA', async () => {
    const bare = await rawCall(
      served.address,
      'machine',
      'Version',
      {},
      'cp1',
      grpc.credentials.createSsl(pki.ca),
      OVERRIDE,
    );
    expect(bare.err?.code).toBe(grpc.status.UNAVAILABLE);
    const stranger = await call('Version', {}, pki.stranger());
    expect(stranger.err?.code).toBe(grpc.status.UNAVAILABLE);
    const plain = await rawCall(served.address, 'machine', 'Version', {}, 'cp1');
    expect(plain.err?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('os:reader reads but may not upgrade, reboot or use lab verbs', async () => {
    expect((await call('Version', {}, reader)).err).toBeNull();
    expect((await call('EtcdMemberList', {}, reader)).err).toBeNull();
    for (const [method, req, service] of [
      ['Upgrade', UPGRADE, 'machine'],
      ['Reboot', {}, 'machine'],
      ['Reset', { reboot: true }, 'machine'],
      ['PowerOff', { node: 'cp1' }, 'lab'],
    ] as const) {
      const r = await call(method, req, reader, service);
      expect(r.err?.code, method).toBe(grpc.status.PERMISSION_DENIED);
      expect(r.err?.details).toMatch(/os:reader may not call it/);
    }
  });

  it('os:operator may reboot but not upgrade', async () => {
    const up = await call('Upgrade', UPGRADE, operator);
    expect(up.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    const wipe = await call('Wipe', { node: 'w1', label: 'EPHEMERAL' }, operator, 'lab');
    expect(wipe.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    // Reboot passes the role check: whatever the node answers, it is not PERMISSION_DENIED.
    const reboot = await rawCall(
      served.address,
      'machine',
      'Reboot',
      { mode: 'DEFAULT' },
      'w1',
      creds(operator),
      OVERRIDE,
    );
    expect(reboot.err?.code ?? grpc.status.OK).not.toBe(grpc.status.PERMISSION_DENIED);
  });

  it('os:admin may use every verb, and refusals appear in the node event stream', async () => {
    const { lab } = loadServices();
    const client = new lab(served.address, creds(admin), OVERRIDE) as unknown as {
      Events(req: unknown): grpc.ClientReadableStream<{ type: string; node: string; body_json: string }>;
      close(): void;
    };
    const stream = client.Events({ node: 'cp1' });
    const seen: { type: string; body: { call?: string; ok?: boolean; detail?: string } }[] = [];
    stream.on('data', (e) => seen.push({ type: e.type, body: JSON.parse(e.body_json) }));
    stream.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const denied = await call('Upgrade', UPGRADE, reader);
    expect(denied.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    await new Promise((r) => setTimeout(r, 100));
    const logged = seen.find((e) => e.type === 'api' && e.body.call === 'Upgrade' && e.body.ok === false);
    expect(logged?.body.detail).toMatch(/permission denied/);
    const off = await call('PowerOff', { node: 'cp1' }, admin, 'lab');
    expect(off.err).toBeNull();
    expect(off.res?.detail).toMatch(/powered off/);
    const on = await call('PowerOn', { node: 'cp1' }, admin, 'lab');
    expect(on.err).toBeNull();
    stream.cancel();
    client.close();
  });
});

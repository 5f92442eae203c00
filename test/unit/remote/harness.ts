// Shared set-up for the node-service tests: a live simulated cluster served on a free loopback port, and
// raw gRPC clients for calls the NodeApi driver does not make (malformed requests, Talos-only fields).
import * as grpc from '@grpc/grpc-js';
import { GrpcNodeApi } from '../../../sim/remote/client.js';
import { LiveSimulation } from '../../../sim/remote/live.js';
import { loadServices, NODE_METADATA_KEY } from '../../../sim/remote/proto.js';
import { NodeServer, type TlsFiles } from '../../../sim/remote/server.js';
import { scenario } from '../../helpers/scenario.js';

export interface Served {
  live: LiveSimulation;
  server: NodeServer;
  address: string;
  close(): Promise<void>;
}

export const SPEED = 400;

export async function serveScenario(
  yaml: string,
  opts: { tls?: TlsFiles; listen?: string } = {},
): Promise<Served> {
  const live = new LiveSimulation(scenario(yaml), { speed: SPEED });
  const server = new NodeServer(live.api, {
    listen: opts.listen ?? '127.0.0.1:0',
    events: live.events,
    ...(opts.tls ? { tls: opts.tls } : {}),
  });
  const port = await server.start();
  live.start();
  return {
    live,
    server,
    address: `127.0.0.1:${port}`,
    async close() {
      live.stop();
      await server.stop(200);
    },
  };
}

export function clientFor(served: Served, tls?: TlsFiles): GrpcNodeApi {
  return new GrpcNodeApi({
    targets: served.live.api.nodes().map((name) => ({ name, address: served.address })),
    speed: SPEED,
    callTimeoutMs: 5_000,
    ...(tls ? { tls, serverName: 'localhost' } : {}),
  });
}

/** Promise form of a NodeApi call. */
export function ask<T>(
  f: (reply: (r: { ok: true; value: T } | { ok: false; error: string; definite: boolean }) => void) => void,
) {
  return new Promise<{ ok: true; value: T } | { ok: false; error: string; definite: boolean }>((resolve) =>
    f(resolve),
  );
}

export async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export type RawResult = { err: grpc.ServiceError | null; res: Record<string, unknown> | undefined };

/** One raw unary call (any request object) on the MachineService or the Lab service. */
export function rawCall(
  address: string,
  service: 'machine' | 'lab',
  method: string,
  req: unknown,
  node?: string,
  creds: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  channelOptions: grpc.ChannelOptions = {},
): Promise<RawResult> {
  const ctor = loadServices()[service];
  const client = new ctor(address, creds, channelOptions) as unknown as Record<
    string,
    (
      r: unknown,
      md: grpc.Metadata,
      o: grpc.CallOptions,
      cb: (e: grpc.ServiceError | null, r?: Record<string, unknown>) => void,
    ) => void
  > & { close(): void };
  const md = new grpc.Metadata();
  if (node !== undefined) md.set(NODE_METADATA_KEY, node);
  return new Promise((resolve) => {
    client[method]!.call(client, req, md, { deadline: Date.now() + 5_000 }, (err, res) => {
      client.close();
      resolve({ err, res });
    });
  });
}

export async function allReady(api: GrpcNodeApi, version: string): Promise<boolean> {
  for (const n of api.nodes()) {
    const s = await ask<{ ready: boolean; version: string | null }>((r) => api.status(n, r));
    if (!s.ok || !s.value.ready || s.value.version !== version) return false;
  }
  return true;
}

/** The one message of a Talos-shaped reply. */
export function firstMessage<T>(r: RawResult): T {
  if (r.err) throw r.err;
  return (r.res!.messages as T[])[0]!;
}

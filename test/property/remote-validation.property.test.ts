// Hostile requests against a running node service: random, malformed and mistyped requests to every
// method (typed messages with wrong values, and raw bytes that are not protobuf at all). Each must get an
// answer well inside the client's deadline, and the server must still serve a plain Version call after
// every one (proto/PROTOCOL.md: INVALID_ARGUMENT, the server keeps serving).
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_ROLES } from '../../sim/remote/roles.js';
import { NODE_METADATA_KEY } from '../../sim/remote/proto.js';
import { baseYaml } from '../helpers/scenario.js';
import { rawCall, serveScenario, type Served } from '../unit/remote/harness.js';

let served: Served;
beforeAll(async () => {
  served = await serveScenario(baseYaml({ cps: 3, workers: 1 }));
});
afterAll(async () => {
  await served?.close();
});

const METHODS = Object.keys(METHOD_ROLES).filter((m) => !m.endsWith('/Events'));
const nodeName = fc.oneof(fc.constantFrom('cp1', 'cp2', 'w1', ''), fc.string({ maxLength: 300 }));
const value = fc.oneof(
  fc.string({ maxLength: 600 }),
  fc.constantFrom(
    'ghcr.io/siderolabs/installer:v1.8.0',
    'v1.8.0',
    'EPHEMERAL',
    'all',
    'POWERCYCLE',
    'kernel',
  ),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const request = fc.dictionary(
  fc.constantFrom(
    'node',
    'image',
    'preserve',
    'stage',
    'force',
    'reboot_mode',
    'mode',
    'graceful',
    'reboot',
    'label',
    'version',
    'member_id',
    'query_local',
  ),
  value,
  { maxKeys: 6 },
);

/** A call whose request bytes are not (necessarily) protobuf: the server must still answer. */
function rawBytes(
  address: string,
  method: string,
  bytes: Buffer,
  node: string,
): Promise<grpc.ServiceError | null> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  md.set(NODE_METADATA_KEY, node);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      method,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      md,
      { deadline: Date.now() + 5_000 },
      (err) => {
        client.close();
        resolve(err);
      },
    );
  });
}

describe('node service under hostile requests', () => {
  it('answers every random request and keeps serving (fast-check, 120 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS),
        fc.oneof(
          fc.record({ kind: fc.constant('typed' as const), req: request, node: nodeName }),
          fc.record({
            kind: fc.constant('bytes' as const),
            bytes: fc.uint8Array({ maxLength: 256 }),
            node: nodeName,
          }),
        ),
        async (method, c) => {
          const service = method.startsWith('/machine.') ? 'machine' : 'lab';
          const short = method.slice(method.lastIndexOf('/') + 1);
          const started = Date.now();
          let err: grpc.ServiceError | null;
          if (c.kind === 'typed') {
            const r = await rawCall(served.address, service, short, c.req, c.node || undefined);
            err = r.err;
          } else {
            err = await rawBytes(served.address, method, Buffer.from(c.bytes), c.node);
          }
          // Answered, and not by the client giving up: the server replied in time.
          expect(err?.code).not.toBe(grpc.status.DEADLINE_EXCEEDED);
          expect(Date.now() - started).toBeLessThan(5_000);
          if (err?.code === grpc.status.INVALID_ARGUMENT) expect(err.details.length).toBeGreaterThan(5);
          const health = await rawCall(served.address, 'lab', 'Status', { node: 'w1' });
          expect(health.err === null || health.err.code === grpc.status.UNAVAILABLE).toBe(true);
        },
      ),
      { numRuns: 120, seed: 20261129 },
    );
    const v = await rawCall(served.address, 'machine', 'Version', {}, 'cp1');
    expect(v.err === null || v.err.code === grpc.status.UNAVAILABLE).toBe(true);
  }, 120_000);
});

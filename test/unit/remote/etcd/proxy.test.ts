import { afterEach, describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { PeerCuts, PeerProxy } from '../../../../sim/remote/etcd/proxy.js';
import { freePort, pollFor } from '../../../../sim/remote/etcd/index.js';

// The peer proxy is what lets the differential suite cut traffic between real etcd members. These tests
// drive it with plain TCP, standing in for etcd's HTTP peer traffic (X-Server-From header, reused
// connections), so they run without etcd.

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** An upstream "member x" that records what it receives and answers each chunk with "x-says:<chunk>". */
async function upstream(): Promise<{ port: number; received: string[] }> {
  const port = await freePort();
  const received: string[] = [];
  const sockets: Socket[] = [];
  const srv: Server = createServer((s) => {
    sockets.push(s);
    s.on('data', (b) => {
      received.push(b.toString());
      s.write(`x-says:${b.toString()}`);
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
  closers.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => srv.close(() => r()));
  });
  return { port, received };
}

async function setup() {
  const up = await upstream();
  const cuts = new PeerCuts();
  cuts.registerMember('10', 'a'); // hex a
  cuts.registerMember('11', 'b'); // hex b
  const proxy = new PeerProxy('x', await freePort(), up.port, cuts);
  await proxy.start();
  closers.push(() => proxy.close());
  const sock = connect(proxy.listenPort, '127.0.0.1');
  const got: string[] = [];
  sock.on('data', (b) => got.push(b.toString()));
  sock.on('error', () => {});
  closers.push(() => void sock.destroy());
  await new Promise<void>((r) => sock.once('connect', () => r()));
  return { up, cuts, proxy, sock, got };
}

const waitUntil = (fn: () => boolean) => pollFor(() => (fn() ? true : null), 2_000, 10);

describe('PeerProxy', () => {
  it('forwards both directions while nothing is cut', async () => {
    const { up, sock, got } = await setup();
    sock.write('GET /raft/probing HTTP/1.1\r\n\r\n');
    expect(await waitUntil(() => got.join('').includes('x-says:GET /raft/probing'))).toBe(true);
    expect(up.received.join('')).toContain('/raft/probing');
  });

  it('learns the sender from X-Server-From on a later request of a reused probing connection', async () => {
    const { up, cuts, proxy, sock, got } = await setup();
    sock.write('GET /raft/probing HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await waitUntil(() => got.length > 0)).toBe(true);
    expect(proxy.connections()).toEqual([{ sender: null, tainted: false }]);
    sock.write('POST /raft HTTP/1.1\r\nX-Server-From: a\r\n\r\nmsg1');
    expect(await waitUntil(() => up.received.join('').includes('msg1'))).toBe(true);
    expect(proxy.connections()[0]?.sender).toBe('a');
    // A cut from another member does not touch a's traffic once a is known.
    cuts.cut('b', 'x');
    sock.write('POST /raft HTTP/1.1\r\nX-Server-From: a\r\n\r\nmsg2');
    expect(await waitUntil(() => up.received.join('').includes('msg2'))).toBe(true);
  });

  it('one-way cut a -> x: requests from a are swallowed, replies still flow before; heal closes the connection', async () => {
    const { up, cuts, proxy, sock, got } = await setup();
    sock.write('GET /raft/stream/message/a HTTP/1.1\r\nX-Server-From: a\r\n\r\n');
    expect(await waitUntil(() => got.length > 0)).toBe(true);
    cuts.cut('a', 'x');
    const before = up.received.join('').length;
    sock.write('POST /raft HTTP/1.1\r\nX-Server-From: a\r\n\r\nlost');
    await new Promise((r) => setTimeout(r, 100));
    expect(up.received.join('').length).toBe(before);
    expect(proxy.connections()).toEqual([{ sender: 'a', tainted: true }]);
    const closed = new Promise<boolean>((r) => sock.once('close', () => r(true)));
    cuts.heal('a', 'x');
    expect(await closed).toBe(true);
    expect(proxy.connections()).toEqual([]);
  });

  it('one-way cut x -> a: what x sends to a is swallowed, what a sends still arrives', async () => {
    const { up, cuts, sock, got } = await setup();
    sock.write('hello X-Server-From: a\r\n');
    expect(await waitUntil(() => got.length > 0)).toBe(true);
    cuts.cut('x', 'a');
    const gotBefore = got.join('').length;
    sock.write('second');
    expect(await waitUntil(() => up.received.join('').includes('second'))).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(got.join('').length).toBe(gotBefore);
  });

  it('an unidentified connection is blackholed while any cut goes into x (a cut never leaks)', async () => {
    const { up, cuts, sock } = await setup();
    cuts.isolate('x', ['a', 'b', 'x'], 'incoming');
    sock.write('GET /raft/probing HTTP/1.1\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));
    expect(up.received).toEqual([]);
  });

  it('a sender seen before its id was registered is recognised once it is (raft streams send the header once)', async () => {
    const { up, cuts, proxy, sock, got } = await setup();
    sock.write('GET /raft/stream/msgappv2/c HTTP/1.1\r\nX-Server-From: c\r\n\r\n');
    expect(await waitUntil(() => got.length > 0)).toBe(true);
    expect(proxy.connections()[0]?.sender).toBeNull();
    cuts.registerMember('12', 'c'); // hex c
    expect(proxy.connections()[0]?.sender).toBe('c');
    // A cut that does not involve c must not touch its (binary, header-less) stream data.
    cuts.cut('b', 'x');
    sock.write('binary-raft-frame');
    expect(await waitUntil(() => up.received.join('').includes('binary-raft-frame'))).toBe(true);
  });

  it('finds a header split across two chunks', async () => {
    const { cuts, proxy, sock, got } = await setup();
    sock.write('POST /raft HTTP/1.1\r\nX-Server-');
    expect(await waitUntil(() => got.length > 0)).toBe(true);
    sock.write('From: b\r\n\r\n');
    expect(await waitUntil(() => proxy.connections()[0]?.sender === 'b')).toBe(true);
    expect(cuts.nameOf('B')).toBe('b');
  });
});

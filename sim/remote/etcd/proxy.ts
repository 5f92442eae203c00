// A userspace TCP proxy in front of one etcd member's peer port, so that a test or the lab agent can cut
// peer traffic between real members, in one direction or both (the `partition` fault on real nodes).
//
// Which member is on the other end: etcd 3.4 sends an `X-Server-From: <hex member id>` header on every peer
// request (raft streams and pipeline POSTs). Probing connections (`/raft/probing`) carry none and are
// reused for later requests, so the header is looked for in *all* data a connection sends, not just its
// first request, and a connection's sender can become known late.
//
// Directions, for the proxy in front of member X and a connection opened by member S:
// - request bytes travel S -> X (pipeline messages, the stream's GET);
// - response bytes travel X -> S (a stream opened by S carries X's raft messages to S).
// A cut direction is blackholed (bytes are swallowed, like a dropped route), not reset: etcd sees silence,
// as on a real network. A connection that lost bytes is closed when the cuts change, because its HTTP
// framing is broken; etcd reconnects. Until its sender is known, a connection's bytes are dropped when any
// cut touches X in that direction (the safe choice: a cut must never leak traffic).
import { createServer, connect, type Server, type Socket } from 'node:net';

/** Directed cuts between member names, and the member ids (hex, as in X-Server-From) behind each name. */
export class PeerCuts {
  private readonly cuts = new Set<string>();
  private readonly names = new Map<string, string>();
  private readonly watchers = new Set<() => void>();

  /** Tell the proxies that member `id` (decimal string, bigint or hex with `0x`) runs as `name`. */
  registerMember(id: string | bigint, name: string): void {
    const hex = typeof id === 'bigint' ? id.toString(16) : BigInt(id).toString(16);
    this.names.set(hex, name);
  }

  /** Every member name registered so far. */
  knownNames(): string[] {
    return [...new Set(this.names.values())];
  }

  nameOf(hexId: string): string | null {
    return this.names.get(hexId.toLowerCase().replace(/^0+(?=.)/, '')) ?? null;
  }

  cut(from: string, to: string): void {
    this.cuts.add(`${from}>${to}`);
    this.changed();
  }

  heal(from: string, to: string): void {
    this.cuts.delete(`${from}>${to}`);
    this.changed();
  }

  /** Cut `name` from every other member in `all`: both directions, or only its outgoing traffic. */
  isolate(name: string, all: readonly string[], direction: 'both' | 'outgoing' | 'incoming' = 'both'): void {
    for (const other of all) {
      if (other === name) continue;
      if (direction !== 'incoming') this.cuts.add(`${name}>${other}`);
      if (direction !== 'outgoing') this.cuts.add(`${other}>${name}`);
    }
    this.changed();
  }

  healAll(): void {
    this.cuts.clear();
    this.changed();
  }

  isCut(from: string, to: string): boolean {
    return this.cuts.has(`${from}>${to}`);
  }

  anyCutInto(to: string): boolean {
    for (const c of this.cuts) if (c.endsWith(`>${to}`)) return true;
    return false;
  }

  anyCutFrom(from: string): boolean {
    for (const c of this.cuts) if (c.startsWith(`${from}>`)) return true;
    return false;
  }

  /** Called on every change; returns an unsubscribe function. */
  watch(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  private changed(): void {
    for (const fn of this.watchers) fn();
  }
}

const HEADER = /x-server-from:\s*([0-9a-f]+)/gi;
/** Bytes of request text kept between chunks, so a header split over two chunks is still found. */
const SCAN_TAIL_CHARS = 256;

interface Conn {
  client: Socket;
  upstream: Socket;
  /**
   * The sender's member id (hex) from X-Server-From. Kept as the id and resolved to a name at each check:
   * raft streams send their header once, often before the harness has learnt who is who.
   */
  senderId: string | null;
  tail: string;
  /** Bytes were swallowed: close the connection when the cuts change. */
  tainted: boolean;
}

export class PeerProxy {
  private server: Server | null = null;
  private readonly conns = new Set<Conn>();
  private unwatch: (() => void) | null = null;

  /**
   * @param self the name of the member behind this proxy
   * @param listenPort the port peers are told (the member's advertised peer URL)
   * @param targetPort the member's real peer port
   */
  constructor(
    readonly self: string,
    readonly listenPort: number,
    readonly targetPort: number,
    private readonly cuts: PeerCuts,
  ) {}

  async start(): Promise<void> {
    if (this.server !== null) return;
    const server = createServer((client) => this.accept(client));
    this.server = server;
    this.unwatch = this.cuts.watch(() => this.onCutsChanged());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
  }

  async close(): Promise<void> {
    this.unwatch?.();
    this.unwatch = null;
    for (const c of this.conns) this.drop(c);
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Open connections and their senders (for diagnostics). */
  connections(): { sender: string | null; tainted: boolean }[] {
    return [...this.conns].map((c) => ({ sender: this.sender(c), tainted: c.tainted }));
  }

  private accept(client: Socket): void {
    const upstream = connect(this.targetPort, '127.0.0.1');
    const conn: Conn = { client, upstream, senderId: null, tail: '', tainted: false };
    this.conns.add(conn);
    client.on('data', (buf: Buffer) => {
      this.identify(conn, buf);
      if (this.requestCut(conn)) conn.tainted = true;
      else upstream.write(buf);
    });
    upstream.on('data', (buf: Buffer) => {
      if (this.responseCut(conn)) conn.tainted = true;
      else client.write(buf);
    });
    const end = (): void => this.drop(conn);
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }

  private identify(conn: Conn, buf: Buffer): void {
    const text = conn.tail + buf.toString('latin1');
    HEADER.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = HEADER.exec(text)) !== null) conn.senderId = m[1] as string;
    conn.tail = text.slice(-SCAN_TAIL_CHARS);
  }

  private sender(conn: Conn): string | null {
    return conn.senderId === null ? null : this.cuts.nameOf(conn.senderId);
  }

  private requestCut(conn: Conn): boolean {
    const sender = this.sender(conn);
    return sender === null ? this.cuts.anyCutInto(this.self) : this.cuts.isCut(sender, this.self);
  }

  private responseCut(conn: Conn): boolean {
    const sender = this.sender(conn);
    return sender === null ? this.cuts.anyCutFrom(this.self) : this.cuts.isCut(this.self, sender);
  }

  private onCutsChanged(): void {
    for (const c of this.conns) if (c.tainted) this.drop(c);
  }

  private drop(c: Conn): void {
    if (!this.conns.delete(c)) return;
    c.client.destroy();
    c.upstream.destroy();
  }
}

// The node API over gRPC: implements NodeApi by calling the node service (proto/), so the orchestrator
// drives served simulated nodes, agents, or (for the Talos verbs) a real Talos node unchanged. Runs on
// wall-clock time, which is why it lives in sim/remote/ (the one place allowed a real clock).
import * as grpc from '@grpc/grpc-js';
import type { BootFailStage, RebootMode } from '../../models/types.js';
import type {
  ApiResult,
  EtcdHealth,
  NodeApi,
  NodeStatus,
  Reply,
  ResetOptions,
  SlotState,
  UpgradeOptions,
  WipeLabel,
} from '../api/node-api.js';
import type { TraceEventBody } from '../trace/types.js';
import { DEFINITE_METADATA_KEY, loadServices, NODE_METADATA_KEY } from './proto.js';
import type { TlsFiles } from './server.js';
import { slotStateFromWire } from './slot-state-wire.js';
import { imageOfVersion } from './validate.js';

export interface NodeTarget {
  name: string;
  /** host:port of the node service that serves this node. */
  address: string;
}

export interface GrpcNodeApiOptions {
  targets: NodeTarget[];
  /** Client certificate and the CA that signed the server's; without it the channel is plaintext. */
  tls?: TlsFiles;
  /** Deadline of one call. */
  callTimeoutMs?: number;
  /** TLS server name to check the server certificate against (default: the host of the address). */
  serverName?: string;
  /**
   * Client clock rate: now() runs `speed` times faster than the wall clock and after() waits 1/speed as
   * long, so a controller driving `upgradelab serve --speed X` keeps the same rhythm as in the simulator.
   */
  speed?: number;
}

export const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/** Codes that say the server certainly did not run the operation. Anything else is indefinite. */
const DEFINITE_CODES = new Set<grpc.status>([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.PERMISSION_DENIED,
  grpc.status.UNAUTHENTICATED,
  grpc.status.UNIMPLEMENTED,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.NOT_FOUND,
]);

/** Turn a gRPC error into a NodeApi error value, keeping the server's definite flag when it sent one. */
export function errorResult(err: grpc.ServiceError): { ok: false; error: string; definite: boolean } {
  const flag = err.metadata?.get(DEFINITE_METADATA_KEY)[0];
  const definite = flag === 'true' ? true : flag === 'false' ? false : DEFINITE_CODES.has(err.code);
  const name = grpc.status[err.code] ?? String(err.code);
  return { ok: false, error: `${name}: ${err.details || err.message}`, definite };
}

type Raw = Record<string, unknown>;
type Method = (
  req: Raw,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (e: grpc.ServiceError | null, r?: Raw) => void,
) => void;

interface Channel {
  machine: grpc.Client;
  lab: grpc.Client;
  /** Several nodes share this address, so each call names its node in metadata. */
  shared: boolean;
}

export class GrpcNodeApi implements NodeApi {
  private readonly channels = new Map<string, Channel>();
  private readonly byNode = new Map<string, Channel>();
  private readonly names: string[];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly callTimeoutMs: number;
  private closed = false;
  private readonly speed: number;
  private readonly startWallMs = Date.now();

  constructor(options: GrpcNodeApiOptions) {
    const { machine, lab } = loadServices();
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0)) throw new RangeError(`GrpcNodeApi: speed must be > 0, got ${this.speed}`);
    const creds = options.tls
      ? grpc.credentials.createSsl(options.tls.ca, options.tls.key, options.tls.cert)
      : grpc.credentials.createInsecure();
    const channelOptions = options.serverName ? { 'grpc.ssl_target_name_override': options.serverName } : {};
    const count = new Map<string, number>();
    for (const t of options.targets) count.set(t.address, (count.get(t.address) ?? 0) + 1);
    this.names = options.targets.map((t) => t.name);
    if (new Set(this.names).size !== this.names.length) throw new Error('GrpcNodeApi: duplicate node names');
    for (const t of options.targets) {
      let ch = this.channels.get(t.address);
      if (!ch) {
        ch = {
          machine: new machine(t.address, creds, channelOptions),
          lab: new lab(t.address, creds, channelOptions),
          shared: (count.get(t.address) ?? 0) > 1,
        };
        this.channels.set(t.address, ch);
      }
      this.byNode.set(t.name, ch);
    }
  }

  nodes(): readonly string[] {
    return this.names;
  }

  now(): number {
    return Math.floor((Date.now() - this.startWallMs) * this.speed);
  }

  after(delayMs: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, delayMs / this.speed);
    this.timers.add(t);
  }

  /** Close every channel and drop pending timers (the orchestrator's polls end with it). */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const ch of this.channels.values()) {
      ch.machine.close();
      ch.lab.close();
    }
  }

  private call<T>(
    node: string,
    service: 'machine' | 'lab',
    method: string,
    req: Raw,
    reply: Reply<T>,
    decode: (r: Raw) => T,
  ): void {
    const ch = this.byNode.get(node);
    if (!ch) {
      // An unknown node is the caller's bug, as in the simulated API (world.node throws).
      throw new Error(`GrpcNodeApi: unknown node ${node}`);
    }
    const md = new grpc.Metadata();
    if (ch.shared) md.set(NODE_METADATA_KEY, node);
    const client = ch[service] as unknown as Record<string, Method>;
    const fn = client[method];
    if (typeof fn !== 'function') throw new Error(`GrpcNodeApi: no method ${service}.${method}`);
    fn.call(client, req, md, { deadline: Date.now() + this.callTimeoutMs }, (err, res) => {
      if (this.closed) return;
      let result: ApiResult<T>;
      if (err) result = errorResult(err);
      else {
        try {
          result = { ok: true, value: decode(res ?? {}) };
        } catch (e) {
          result = {
            ok: false,
            error: `malformed reply to ${method}: ${(e as Error).message}`,
            definite: false,
          };
        }
      }
      reply(result);
    });
  }

  status(node: string, reply: Reply<NodeStatus>): void {
    this.call(node, 'lab', 'Status', { node }, reply, decodeStatus);
  }

  slotState(node: string, reply: Reply<SlotState>): void {
    this.call(node, 'lab', 'SlotState', { node }, reply, slotStateFromWire);
  }

  upgrade(node: string, o: UpgradeOptions, reply: Reply<string>): void {
    const req = {
      image: imageOfVersion(o.image),
      preserve: o.preserve,
      stage: o.stage,
      force: o.force,
      reboot_mode: o.rebootMode === 'powercycle' ? 'POWERCYCLE' : 'DEFAULT',
    };
    this.call(node, 'machine', 'Upgrade', req, reply, (r) => String(first(r).ack ?? ''));
  }

  rollback(node: string, reply: Reply<string>): void {
    this.call(node, 'machine', 'Rollback', {}, reply, () => 'rollback accepted');
  }

  reboot(node: string, mode: RebootMode, reply: Reply<string>): void {
    const req = { mode: mode === 'powercycle' ? 'POWERCYCLE' : 'DEFAULT' };
    this.call(node, 'machine', 'Reboot', req, reply, () => `reboot (${mode}) accepted`);
  }

  etcdHealth(node: string, reply: Reply<EtcdHealth>): void {
    this.call(node, 'lab', 'EtcdHealth', { node }, reply, decodeHealth);
  }

  reset(node: string, o: ResetOptions, reply: Reply<string>): void {
    const labels = o.labels.includes('all') ? [] : o.labels.map((label) => ({ label, wipe: true }));
    const req = {
      graceful: o.graceful,
      reboot: true,
      system_partitions_to_wipe: labels,
      mode: 'SYSTEM_DISK',
    };
    this.call(node, 'machine', 'Reset', req, reply, () => 'reset accepted');
  }

  etcdRemoveMember(node: string, memberId: string, reply: Reply<string>): void {
    const wire = memberWire(memberId);
    if (wire === null) {
      reply({ ok: false, error: `member id ${memberId} has no uint64 form`, definite: true });
      return;
    }
    this.call(
      node,
      'machine',
      'EtcdRemoveMemberByID',
      { member_id: wire },
      reply,
      () => `removed ${memberId}`,
    );
  }

  etcdLeave(node: string, reply: Reply<string>): void {
    this.call(node, 'machine', 'EtcdLeaveCluster', {}, reply, () => 'left etcd');
  }

  etcdForfeitLeadership(node: string, reply: Reply<string>): void {
    this.call(node, 'machine', 'EtcdForfeitLeadership', {}, reply, (r) => String(first(r).member ?? ''));
  }

  /**
   * Lab.Events of one node from now on: `onEvent` per event (the server's time and a trace v1 body),
   * `onEnd` once when the stream ends (an error message, or null when cancelled or closed). Returns the
   * cancel function. A body that is not JSON ends the stream: the server is not one of ours.
   */
  events(
    node: string,
    onEvent: (e: { tMs: number; body: TraceEventBody }) => void,
    onEnd: (error: string | null) => void,
  ): () => void {
    const ch = this.byNode.get(node);
    if (!ch) throw new Error(`GrpcNodeApi: unknown node ${node}`);
    const md = new grpc.Metadata();
    if (ch.shared) md.set(NODE_METADATA_KEY, node);
    const client = ch.lab as unknown as {
      Events(req: Raw, md: grpc.Metadata): grpc.ClientReadableStream<Raw>;
    };
    const stream = client.Events({ node }, md);
    let ended = false;
    const end = (error: string | null) => {
      if (ended) return;
      ended = true;
      onEnd(error);
    };
    stream.on('data', (e: Raw) => {
      if (ended) return;
      try {
        onEvent({ tMs: Number(e.t_ms), body: JSON.parse(String(e.body_json)) as TraceEventBody });
      } catch (err) {
        stream.cancel();
        end(`malformed event: ${(err as Error).message}`);
      }
    });
    stream.on('error', (err: grpc.ServiceError) =>
      end(err.code === grpc.status.CANCELLED ? null : errorResult(err).error),
    );
    stream.on('end', () => end(null));
    return () => {
      stream.cancel();
      end(null);
    };
  }

  /** Talos's Version call (works against a real Talos node too). */
  version(node: string, reply: Reply<string>): void {
    this.call(node, 'machine', 'Version', {}, reply, (r) => {
      const v = first(r).version as Raw | undefined;
      return String(v?.tag ?? '');
    });
  }

  private lab(node: string, method: string, req: Raw, reply: Reply<string>): void {
    this.call(node, 'lab', method, { node, ...req }, reply, (r) => String(r.detail ?? ''));
  }

  powerOff(node: string, reply: Reply<string>): void {
    this.lab(node, 'PowerOff', {}, reply);
  }

  powerOn(node: string, reply: Reply<string>): void {
    this.lab(node, 'PowerOn', {}, reply);
  }

  wipe(node: string, label: WipeLabel, reply: Reply<string>): void {
    this.lab(node, 'Wipe', { label }, reply);
  }

  isolate(node: string, reply: Reply<string>): void {
    this.lab(node, 'Isolate', {}, reply);
  }

  heal(node: string, reply: Reply<string>): void {
    this.lab(node, 'Heal', {}, reply);
  }

  failNextBoot(node: string, version: string, stage: BootFailStage, reply: Reply<string>): void {
    this.lab(node, 'FailNextBoot', { version, stage }, reply);
  }
}

/** Talos replies wrap one message per node in `messages`. */
function first(r: Raw): Raw {
  const m = r.messages;
  if (!Array.isArray(m) || m.length === 0 || typeof m[0] !== 'object') throw new Error('no messages');
  return m[0] as Raw;
}

function memberWire(id: string): string | null {
  if (/^m\d{1,19}$/.test(id)) return BigInt(id.slice(1)).toString();
  if (/^[0-9a-f]{1,16}$/i.test(id)) return BigInt(`0x${id}`).toString();
  return null;
}

function decodeStatus(r: Raw): NodeStatus {
  const role = r.role;
  if (role !== 'controlplane' && role !== 'worker') throw new Error(`role ${String(role)}`);
  const e = r.etcd as Raw | null | undefined;
  return {
    name: String(r.name),
    role,
    state: String(r.state),
    version: typeof r.version === 'string' && r.version.length > 0 ? r.version : null,
    ready: r.ready === true,
    upgrading: r.upgrading === true,
    etcd: e
      ? { memberId: String(e.member_id), learner: e.learner === true, started: e.started === true }
      : null,
  };
}

function decodeHealth(r: Raw): EtcdHealth {
  const members = Array.isArray(r.members) ? (r.members as Raw[]) : [];
  return {
    leader: typeof r.leader === 'string' && r.leader.length > 0 ? r.leader : null,
    members: members.map((m) => ({
      id: String(m.id),
      name: String(m.name),
      learner: m.learner === true,
      started: m.started === true,
      ...(Array.isArray(m.client_urls) && m.client_urls.length > 0
        ? { clientUrls: m.client_urls.map(String) }
        : {}),
    })),
    healthy: r.healthy === true,
  };
}

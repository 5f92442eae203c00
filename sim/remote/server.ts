// The node service: serves any NodeApi over gRPC as Talos's machine.MachineService (the subset in
// proto/machine/machine.proto) plus the lab's upgradelab.lab.v1.Lab. Every request is authorised (roles
// from the client certificate), validated (INVALID_ARGUMENT naming the field) and answered within a bound;
// a handler that throws answers INTERNAL and the server keeps serving. Errors carry the Maelstrom
// `definite` flag in trailing metadata (proto/PROTOCOL.md).
import * as grpc from '@grpc/grpc-js';
import type { ApiResult, NodeApi, Reply } from '../api/node-api.js';
import type { TraceEventBody } from '../trace/types.js';
import { EventHub, type NodeEvent } from './events.js';
import { slotStateToWire } from './slot-state-wire.js';
import { DEFINITE_METADATA_KEY, loadServices, NODE_METADATA_KEY } from './proto.js';
import { allowed, METHOD_ROLES, roleOfCertificate, type Role } from './roles.js';
import {
  checkFailNextBoot,
  checkMemberId,
  checkNode,
  checkReboot,
  checkReset,
  checkUpgrade,
  checkWipeLabel,
  memberIdToWire,
  type Checked,
} from './validate.js';

/** A NodeApi that can also leave etcd and hand over leadership (the agent's real etcd can; the simulator not). */
export interface ServedNodeApi extends NodeApi {
  etcdLeave?(node: string, reply: Reply<string>): void;
  etcdForfeitLeadership?(node: string, reply: Reply<string>): void;
}

export interface TlsFiles {
  /** PEM: the CA that signs client certificates (and the server's own). */
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export interface NodeServerOptions {
  /** host:port; port 0 picks a free one. */
  listen: string;
  tls?: TlsFiles;
  events?: EventHub;
  /** A call the NodeApi has not answered by then gets DEADLINE_EXCEEDED (indefinite). */
  replyTimeoutMs?: number;
}

export class RemoteConfigError extends Error {}

export const DEFAULT_REPLY_TIMEOUT_MS = 60_000;
/** Events queued for a slow Events subscriber before the stream is ended with RESOURCE_EXHAUSTED. */
export const EVENTS_BACKLOG_MAX = 10_000;

/** Addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function splitHostPort(listen: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  if (!m) throw new RemoteConfigError(`--listen: want host:port, got ${JSON.stringify(listen)}`);
  const port = Number(m[2]);
  if (port > 65535) throw new RemoteConfigError(`--listen: port ${port} out of range`);
  return { host: m[1]!, port };
}

type GrpcError = Partial<grpc.StatusObject>;
/** What unary and streaming server calls share (grpc-js does not export its own name for it). */
type SurfaceCall = Pick<grpc.ServerUnaryCall<unknown, unknown>, 'metadata' | 'getAuthContext'>;

function grpcError(code: grpc.status, details: string, definite: boolean): GrpcError {
  const metadata = new grpc.Metadata();
  metadata.set(DEFINITE_METADATA_KEY, definite ? 'true' : 'false');
  return { code, details, metadata };
}

/** A node-level failure: "unavailable: ..." means the node did not answer; anything else is a refusal. */
function apiError(r: { error: string; definite: boolean }): GrpcError {
  const code = r.error.startsWith('unavailable')
    ? grpc.status.UNAVAILABLE
    : r.error.startsWith('timeout') || r.error.includes('deadline')
      ? grpc.status.DEADLINE_EXCEEDED
      : grpc.status.FAILED_PRECONDITION;
  return grpcError(code, r.error, r.definite);
}

type Unary = (
  call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
  cb: grpc.sendUnaryData<unknown>,
) => void;

export class NodeServer {
  private readonly server = new grpc.Server();
  readonly events: EventHub;
  private readonly replyTimeoutMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private boundPort: number | null = null;

  constructor(
    private readonly api: ServedNodeApi,
    private readonly options: NodeServerOptions,
  ) {
    const { host } = splitHostPort(options.listen);
    if (!isLoopback(host) && !options.tls)
      throw new RemoteConfigError(
        `refusing to listen on ${options.listen} without mutual TLS: pass --tls-ca, --tls-cert and --tls-key (only loopback addresses may go without)`,
      );
    this.events = options.events ?? new EventHub();
    this.replyTimeoutMs = options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    const services = loadServices();
    this.server.addService(services.machine.service, this.machineHandlers());
    this.server.addService(services.lab.service, this.labHandlers());
  }

  /** Bind and serve; resolves to the port actually bound. */
  start(): Promise<number> {
    const tls = this.options.tls;
    const creds = tls
      ? grpc.ServerCredentials.createSsl(tls.ca, [{ private_key: tls.key, cert_chain: tls.cert }], true)
      : grpc.ServerCredentials.createInsecure();
    return new Promise((resolve, reject) => {
      this.server.bindAsync(this.options.listen, creds, (err, port) => {
        if (err) return reject(err);
        this.boundPort = port;
        resolve(port);
      });
    });
  }

  get port(): number | null {
    return this.boundPort;
  }

  /** Stop accepting calls; open streams are cancelled after `graceMs`. */
  stop(graceMs = 1_000): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    return new Promise((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private log(node: string, call: string, ok: boolean, detail: string): void {
    const body: TraceEventBody = { type: 'api', node, call, ok, detail };
    this.events.publish(this.api.now(), body);
  }

  /** The caller's role: from the client certificate with TLS; everyone is admin on plain loopback. */
  private role(call: SurfaceCall): Role | null {
    if (!this.options.tls) return 'os:admin';
    return roleOfCertificate(call.getAuthContext()?.sslPeerCertificate);
  }

  private nodeOf(call: SurfaceCall, field: unknown): Checked<string> {
    const fromMeta = call.metadata.get(NODE_METADATA_KEY)[0];
    const fromField = typeof field === 'string' && field.length > 0 ? field : undefined;
    if (fromField !== undefined && typeof fromMeta === 'string' && fromMeta !== fromField)
      return { ok: false, error: `node: request field says ${fromField}, metadata says ${fromMeta}` };
    return checkNode(fromField ?? fromMeta, this.api.nodes());
  }

  /**
   * The common path of every unary call: authorise, resolve the node, validate, run with a reply bound.
   * `run` gets a `done` that accepts one reply; later ones (after the timeout) are dropped.
   */
  private unary<Req extends Record<string, unknown>>(
    method: string,
    run: (node: string, req: Req, done: (r: ApiResult<unknown>) => void) => GrpcError | void,
  ): Unary {
    const short = method.slice(method.lastIndexOf('/') + 1);
    return (call, callback) => {
      try {
        const req = (call.request ?? {}) as Req;
        const node = this.nodeOf(call, req.node);
        const role = this.role(call);
        if (!allowed(role, method)) {
          const who = role ?? 'a certificate with no os:* role';
          const msg = `${short}: permission denied: ${who} may not call it (needs ${METHOD_ROLES[method] ?? 'an unknown role'})`;
          this.log(node.ok ? node.value : '', short, false, msg);
          return callback(grpcError(grpc.status.PERMISSION_DENIED, msg, true));
        }
        if (!node.ok) return callback(grpcError(grpc.status.INVALID_ARGUMENT, node.error, true));
        let answered = false;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (answered) return;
          answered = true;
          callback(
            grpcError(
              grpc.status.DEADLINE_EXCEEDED,
              `${short}: no answer from ${node.value} within ${this.replyTimeoutMs} ms`,
              false,
            ),
          );
        }, this.replyTimeoutMs);
        this.timers.add(timer);
        const done = (r: ApiResult<unknown>) => {
          if (answered) return;
          answered = true;
          clearTimeout(timer);
          this.timers.delete(timer);
          if (r.ok) callback(null, r.value);
          else callback(apiError(r));
        };
        const refused = run(node.value, req, done);
        if (refused) {
          if (answered) return;
          answered = true;
          clearTimeout(timer);
          this.timers.delete(timer);
          callback(refused);
        }
      } catch (err) {
        // A bug in a handler must not take the server down: answer INTERNAL (indefinite: we do not know how
        // far the call got) and keep serving.
        callback(
          grpcError(grpc.status.INTERNAL, `${short}: internal error: ${(err as Error).message}`, false),
        );
      }
    };
  }

  private invalid(c: Checked<unknown> & { ok: false }): GrpcError {
    return grpcError(grpc.status.INVALID_ARGUMENT, c.error, true);
  }

  private machineHandlers(): grpc.UntypedServiceImplementation {
    const M = '/machine.MachineService/';
    const api = this.api;
    const meta = (node: string) => ({ hostname: node });
    const map =
      <T>(done: (r: ApiResult<unknown>) => void, f: (v: T) => unknown) =>
      (r: ApiResult<T>) =>
        done(r.ok ? { ok: true, value: f(r.value) } : r);
    return {
      Version: this.unary(M + 'Version', (node, _req, done) =>
        api.status(
          node,
          map(done, (s) => ({
            messages: [
              {
                metadata: meta(node),
                version: {
                  tag: s.version ?? '',
                  sha: '',
                  built: '',
                  go_version: '',
                  os: 'upgradelab',
                  arch: '',
                },
                platform: { name: 'upgradelab', mode: 'metal' },
              },
            ],
          })),
        ),
      ),
      ServiceList: this.unary(M + 'ServiceList', (node, _req, done) =>
        api.status(
          node,
          map(done, (s) => {
            const services = [
              {
                id: 'machined',
                state: 'Running',
                health: { unknown: false, healthy: true, last_message: s.state },
              },
              {
                id: 'kubelet',
                state: s.ready ? 'Running' : 'Waiting',
                health: {
                  unknown: false,
                  healthy: s.ready,
                  last_message: s.ready ? 'node Ready' : 'node not Ready',
                },
              },
            ];
            if (s.etcd)
              services.push({
                id: 'etcd',
                state: s.etcd.started ? 'Running' : 'Waiting',
                health: {
                  unknown: false,
                  healthy: s.etcd.started && !s.etcd.learner,
                  last_message: s.etcd.learner
                    ? 'learner'
                    : s.etcd.started
                      ? 'member started'
                      : 'member not started',
                },
              });
            return { messages: [{ metadata: meta(node), services }] };
          }),
        ),
      ),
      EtcdMemberList: this.unary(M + 'EtcdMemberList', (node, _req, done) =>
        api.etcdHealth(
          node,
          map(done, (h) => ({
            messages: [
              {
                metadata: meta(node),
                legacy_members: [],
                members: h.members.map((m) => ({
                  id: (memberIdToWire(m.id) ?? 0n).toString(),
                  hostname: m.name,
                  peer_urls: [],
                  client_urls: m.clientUrls ?? [],
                  is_learner: m.learner,
                })),
              },
            ],
          })),
        ),
      ),
      EtcdRemoveMemberByID: this.unary(M + 'EtcdRemoveMemberByID', (node, req, done) => {
        const id = checkMemberId(req);
        if (!id.ok) return this.invalid(id);
        // The wire carries a number; find the member it names in the node's own view of the cluster.
        api.etcdHealth(node, (h) => {
          if (!h.ok) return done(h);
          const m = h.value.members.find((x) => memberIdToWire(x.id) === id.value);
          if (!m)
            return done({
              ok: false,
              error: `etcd member ${id.value.toString(16)} not found`,
              definite: true,
            });
          api.etcdRemoveMember(
            node,
            m.id,
            map(done, () => ({ messages: [{ metadata: meta(node) }] })),
          );
        });
      }),
      EtcdLeaveCluster: this.unary(M + 'EtcdLeaveCluster', (node, _req, done) => {
        if (!api.etcdLeave)
          return grpcError(grpc.status.UNIMPLEMENTED, 'EtcdLeaveCluster: not supported by this node', true);
        api.etcdLeave(
          node,
          map(done, () => ({ messages: [{ metadata: meta(node) }] })),
        );
      }),
      EtcdForfeitLeadership: this.unary(M + 'EtcdForfeitLeadership', (node, _req, done) => {
        if (!api.etcdForfeitLeadership)
          return grpcError(
            grpc.status.UNIMPLEMENTED,
            'EtcdForfeitLeadership: not supported by this node',
            true,
          );
        api.etcdForfeitLeadership(
          node,
          map(done, (member) => ({ messages: [{ metadata: meta(node), member }] })),
        );
      }),
      Reboot: this.unary(M + 'Reboot', (node, req, done) => {
        const mode = checkReboot(req);
        if (!mode.ok) return this.invalid(mode);
        api.reboot(
          node,
          mode.value,
          map(done, () => ({ messages: [{ metadata: meta(node), actor_id: '' }] })),
        );
      }),
      Rollback: this.unary(M + 'Rollback', (node, _req, done) =>
        api.rollback(
          node,
          map(done, () => ({ messages: [{ metadata: meta(node) }] })),
        ),
      ),
      Reset: this.unary(M + 'Reset', (node, req, done) => {
        const o = checkReset(req);
        if (!o.ok) return this.invalid(o);
        api.reset(
          node,
          o.value,
          map(done, () => ({ messages: [{ metadata: meta(node), actor_id: '' }] })),
        );
      }),
      Upgrade: this.unary(M + 'Upgrade', (node, req, done) => {
        const o = checkUpgrade(req);
        if (!o.ok) return this.invalid(o);
        api.upgrade(
          node,
          o.value,
          map(done, (ack) => ({ messages: [{ metadata: meta(node), ack, actor_id: '' }] })),
        );
      }),
    };
  }

  private labHandlers(): grpc.UntypedServiceImplementation {
    const L = '/upgradelab.lab.v1.Lab/';
    const api = this.api;
    const ack = (node: string, done: (r: ApiResult<unknown>) => void) => (r: ApiResult<string>) =>
      done(r.ok ? { ok: true, value: { node, detail: r.value } } : r);
    return {
      PowerOff: this.unary(L + 'PowerOff', (node, _req, done) => api.powerOff(node, ack(node, done))),
      PowerOn: this.unary(L + 'PowerOn', (node, _req, done) => api.powerOn(node, ack(node, done))),
      Isolate: this.unary(L + 'Isolate', (node, _req, done) => api.isolate(node, ack(node, done))),
      Heal: this.unary(L + 'Heal', (node, _req, done) => api.heal(node, ack(node, done))),
      Wipe: this.unary(L + 'Wipe', (node, req, done) => {
        const label = checkWipeLabel(req.label);
        if (!label.ok) return this.invalid(label);
        api.wipe(node, label.value, ack(node, done));
      }),
      FailNextBoot: this.unary(L + 'FailNextBoot', (node, req, done) => {
        const f = checkFailNextBoot(req);
        if (!f.ok) return this.invalid(f);
        api.failNextBoot(node, f.value.version, f.value.stage, ack(node, done));
      }),
      Status: this.unary(L + 'Status', (node, _req, done) =>
        api.status(node, (r) =>
          done(
            r.ok
              ? {
                  ok: true,
                  value: {
                    name: r.value.name,
                    role: r.value.role,
                    state: r.value.state,
                    version: r.value.version ?? '',
                    ready: r.value.ready,
                    upgrading: r.value.upgrading,
                    etcd: r.value.etcd
                      ? {
                          member_id: r.value.etcd.memberId,
                          learner: r.value.etcd.learner,
                          started: r.value.etcd.started,
                        }
                      : null,
                  },
                }
              : r,
          ),
        ),
      ),
      EtcdHealth: this.unary(L + 'EtcdHealth', (node, _req, done) =>
        api.etcdHealth(node, (r) =>
          done(
            r.ok
              ? {
                  ok: true,
                  value: {
                    ...r.value,
                    leader: r.value.leader ?? '',
                    members: r.value.members.map((m) => ({ ...m, client_urls: m.clientUrls ?? [] })),
                  },
                }
              : r,
          ),
        ),
      ),
      SlotState: this.unary(L + 'SlotState', (node, _req, done) => {
        if (!api.slotState)
          return grpcError(grpc.status.UNIMPLEMENTED, 'SlotState: not supported by this node', true);
        api.slotState(node, (r) => done(r.ok ? { ok: true, value: slotStateToWire(node, r.value) } : r));
      }),
      Events: (call: grpc.ServerWritableStream<Record<string, unknown>, unknown>) => this.eventsStream(call),
    };
  }

  private eventsStream(call: grpc.ServerWritableStream<Record<string, unknown>, unknown>): void {
    const method = '/upgradelab.lab.v1.Lab/Events';
    const raw = call.request?.node;
    const wanted = typeof raw === 'string' && raw.length > 0 ? checkNode(raw, this.api.nodes()) : null;
    if (!allowed(this.role(call), method)) {
      const msg = 'Events: permission denied: needs os:reader';
      this.log(wanted?.ok ? wanted.value : '', 'Events', false, msg);
      call.emit('error', grpcError(grpc.status.PERMISSION_DENIED, msg, true));
      return;
    }
    if (wanted && !wanted.ok) {
      call.emit('error', grpcError(grpc.status.INVALID_ARGUMENT, wanted.error, true));
      return;
    }
    let closed = false;
    const unsubscribe = this.events.subscribe(wanted ? wanted.value : null, (e: NodeEvent) => {
      if (closed) return;
      if (call.writableLength > EVENTS_BACKLOG_MAX * 256) {
        closed = true;
        unsubscribe();
        call.emit(
          'error',
          grpcError(grpc.status.RESOURCE_EXHAUSTED, 'Events: subscriber too slow; stream ended', true),
        );
        return;
      }
      const node = 'node' in e.body && typeof e.body.node === 'string' ? e.body.node : '';
      call.write({
        t_ms: String(e.t),
        seq: String(e.seq),
        type: e.body.type,
        node,
        body_json: JSON.stringify(e.body),
      });
    });
    const end = () => {
      closed = true;
      unsubscribe();
    };
    call.on('cancelled', end);
    call.on('close', end);
    call.on('error', end);
  }
}

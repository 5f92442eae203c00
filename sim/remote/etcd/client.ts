// A small etcd v3 client over etcd's JSON gateway (HTTP on the client port, `/v3/...`), enough for the lab:
// put, get (linearizable or serializable), member list/add (learner)/promote/remove and status. Errors are
// values with etcd's own text, a code and a definite flag (models/etcd-errors.ts), so a caller compares
// them with the model. No dependency: Node's fetch. The gateway forwards to etcd's gRPC server in-process,
// so the same interceptors (learner gate, mayAddMember, ...) apply as for etcdctl.
import { classifyEtcdMessage, etcdError, type EtcdError } from '../../../models/etcd-errors.js';

export type EtcdResult<T> = { ok: true; value: T } | { ok: false; error: EtcdError };

export interface RealMember {
  /** etcd's uint64 member id, as a decimal string (how the JSON gateway prints it). */
  id: string;
  /** Empty until the member has started once ("unstarted" in etcdctl). */
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface RealStatus {
  /** The member id this endpoint serves. */
  id: string;
  /** The leader's member id, or "0" when the member knows no leader. */
  leader: string;
  raftTerm: number;
  raftIndex: number;
  isLearner: boolean;
}

/** How long a request may take before it fails "context deadline exceeded" (etcdctl's --command-timeout). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 3_000;

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

interface RawMember {
  ID?: string;
  name?: string;
  peerURLs?: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

export class EtcdClient {
  constructor(
    /** e.g. http://127.0.0.1:2379 */
    readonly endpoint: string,
    readonly commandTimeoutMs: number = DEFAULT_COMMAND_TIMEOUT_MS,
  ) {}

  async put(key: string, value: string): Promise<EtcdResult<{ revision: number }>> {
    const r = await this.call('/v3/kv/put', { key: b64(key), value: b64(value) });
    if (!r.ok) return r;
    return { ok: true, value: { revision: num(header(r.value).revision) } };
  }

  /** A linearizable read by default (it needs the leader); `serializable` reads the member's own copy. */
  async get(
    key: string,
    opts: { serializable?: boolean } = {},
  ): Promise<EtcdResult<{ value: string | null; revision: number }>> {
    const r = await this.call('/v3/kv/range', { key: b64(key), serializable: opts.serializable === true });
    if (!r.ok) return r;
    const kvs = (r.value.kvs as { value?: string }[] | undefined) ?? [];
    const first = kvs[0];
    return {
      ok: true,
      value: {
        value: first === undefined ? null : unb64(first.value ?? ''),
        revision: num(header(r.value).revision),
      },
    };
  }

  /**
   * A non-blocking try-lock: create `key` (holding `owner`) under a lease of `ttlS` seconds unless it
   * exists. Talos's upgrade handler takes a cluster-wide etcd mutex the same way (TryLock, F§3); the lease
   * frees the lock if its holder dies without unlocking. Resolves to whether the lock was taken, and by
   * whom it is held otherwise.
   */
  async tryLock(
    key: string,
    owner: string,
    ttlS: number,
  ): Promise<EtcdResult<{ locked: true } | { locked: false; holder: string }>> {
    const lease = await this.call('/v3/lease/grant', { TTL: String(ttlS) });
    if (!lease.ok) return lease;
    const txn = await this.call('/v3/kv/txn', {
      compare: [{ key: b64(key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
      success: [{ request_put: { key: b64(key), value: b64(owner), lease: String(lease.value.ID) } }],
      failure: [{ request_range: { key: b64(key) } }],
    });
    if (!txn.ok) return txn;
    if (txn.value.succeeded === true) return { ok: true, value: { locked: true } };
    const responses = (txn.value.responses as { response_range?: { kvs?: { value?: string }[] } }[]) ?? [];
    const holder = unb64(responses[0]?.response_range?.kvs?.[0]?.value ?? '');
    return { ok: true, value: { locked: false, holder } };
  }

  /** Release a lock taken by `tryLock`: delete `key` only while `owner` holds it. */
  async unlock(key: string, owner: string): Promise<EtcdResult<{ released: boolean }>> {
    const txn = await this.call('/v3/kv/txn', {
      compare: [{ key: b64(key), target: 'VALUE', result: 'EQUAL', value: b64(owner) }],
      success: [{ request_delete_range: { key: b64(key) } }],
      failure: [],
    });
    if (!txn.ok) return txn;
    return { ok: true, value: { released: txn.value.succeeded === true } };
  }

  async memberList(): Promise<EtcdResult<RealMember[]>> {
    const r = await this.call('/v3/cluster/member/list', {});
    if (!r.ok) return r;
    return { ok: true, value: members(r.value.members) };
  }

  async memberAdd(
    peerURL: string,
    opts: { learner?: boolean } = {},
  ): Promise<EtcdResult<{ id: string; members: RealMember[] }>> {
    const r = await this.call('/v3/cluster/member/add', {
      peerURLs: [peerURL],
      isLearner: opts.learner === true,
    });
    if (!r.ok) return r;
    const m = r.value.member as RawMember | undefined;
    return { ok: true, value: { id: m?.ID ?? '0', members: members(r.value.members) } };
  }

  async memberPromote(id: string): Promise<EtcdResult<RealMember[]>> {
    const r = await this.call('/v3/cluster/member/promote', { ID: id });
    if (!r.ok) return r;
    return { ok: true, value: members(r.value.members) };
  }

  async memberRemove(id: string): Promise<EtcdResult<RealMember[]>> {
    const r = await this.call('/v3/cluster/member/remove', { ID: id });
    if (!r.ok) return r;
    return { ok: true, value: members(r.value.members) };
  }

  /** etcdctl move-leader: this endpoint must be the leader; the target must be a started voter. */
  async moveLeader(targetId: string): Promise<EtcdResult<null>> {
    const r = await this.call('/v3/maintenance/transfer-leadership', { targetID: targetId });
    if (!r.ok) return r;
    return { ok: true, value: null };
  }

  async status(): Promise<EtcdResult<RealStatus>> {
    const r = await this.call('/v3/maintenance/status', {});
    if (!r.ok) return r;
    const h = header(r.value);
    return {
      ok: true,
      value: {
        id: String(h.member_id ?? '0'),
        leader: String(r.value.leader ?? '0'),
        raftTerm: num(r.value.raftTerm),
        raftIndex: num(r.value.raftIndex),
        isLearner: r.value.isLearner === true,
      },
    };
  }

  private async call(path: string, body: object): Promise<EtcdResult<Record<string, unknown>>> {
    let res: Response;
    try {
      res = await fetch(this.endpoint + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.commandTimeoutMs),
      });
    } catch (err) {
      return { ok: false, error: transportError(err) };
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      return { ok: false, error: transportError(err) };
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {
        ok: false,
        error: etcdError('timeout', `unparsable reply (${res.status}): ${text.slice(0, 200)}`),
      };
    }
    if (res.ok && json.error === undefined) return { ok: true, value: json };
    const message = String(json.error ?? json.message ?? `HTTP ${res.status}`);
    const code = classifyEtcdMessage(message);
    // An error we do not know is reported as an indefinite timeout: when in doubt, indefinite.
    return { ok: false, error: code === null ? etcdError('timeout', message) : etcdError(code, message) };
  }
}

function transportError(err: unknown): EtcdError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return etcdError('timeout');
  const cause = e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
  // Refused: nothing listens, the request never reached etcd (definite). Anything else (reset mid-way)
  // may have reached it: indefinite.
  if (cause.includes('ECONNREFUSED')) return etcdError('unavailable', `connection refused (${cause})`);
  return etcdError('timeout', `transport: ${cause}`);
}

function header(v: Record<string, unknown>): Record<string, unknown> {
  return (v.header as Record<string, unknown> | undefined) ?? {};
}

function num(v: unknown): number {
  return v === undefined ? 0 : Number(v);
}

function members(raw: unknown): RealMember[] {
  return ((raw as RawMember[] | undefined) ?? []).map((m) => ({
    id: m.ID ?? '0',
    name: m.name ?? '',
    peerURLs: m.peerURLs ?? [],
    clientURLs: m.clientURLs ?? [],
    isLearner: m.isLearner === true,
  }));
}

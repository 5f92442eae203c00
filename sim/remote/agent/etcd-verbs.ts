// The agent's EtcdLeaveCluster and EtcdForfeitLeadership, against its real etcd member, as Talos's
// handlers do them (T internal/pkg/etcd: LeaveCluster, ForfeitLeadership):
// - leave: remove our own member through the cluster's client API, retrying only "unhealthy cluster"
//   (ErrUnhealthy) and "server stopped" (ErrStopped) every 10 s for up to 5 min (F§3); anything else —
//   "not enough started members", no leader (a timeout) — fails at once. The caller then stops etcd and
//   removes its data dir (a removed member's data is no longer valid, F§4).
// - forfeit: if our member leads, move leadership to another started voter (etcd refuses a learner) and
//   return its name; if it does not lead, do nothing and return ''. One member alone cannot forfeit.
import type { ApiResult } from '../../api/node-api.js';
import { EtcdClient, type RealMember } from '../etcd/client.js';

export interface EtcdVerbContext {
  /** Our member's name (the node name). */
  name: string;
  /** Client endpoints that may serve the cluster, our own first. */
  endpoints: readonly string[];
  /** Wall-clock ms for `modelMs` of model time (the agent's --speed). */
  wallMs: (modelMs: number) => number;
  /** Timeout of one etcd request. */
  requestTimeoutMs: number;
}

/** Talos retries a refused leave every 10 s for up to 5 min (F§3), in model time. */
export const LEAVE_RETRY_MODEL_MS = 10_000;
export const LEAVE_BUDGET_MODEL_MS = 5 * 60_000;
/**
 * etcd's "connected to every voter for 5 s" rule runs on real time (F§4) while Talos's budget is scaled by
 * --speed: the budget is never shorter than this much wall time, so the rule can be waited out.
 */
export const LEAVE_BUDGET_WALL_MIN_MS = 6_000;
/** ...and a retry never comes later than this (so a compressed budget still gets several tries). */
const LEAVE_RETRY_WALL_MAX_MS = 500;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function retriable(message: string): boolean {
  return /unhealthy cluster|server stopped/.test(message);
}

async function memberList(ctx: EtcdVerbContext): Promise<ApiResult<{ list: RealMember[]; via: string }>> {
  let last = 'no endpoint';
  for (const ep of ctx.endpoints) {
    const l = await new EtcdClient(ep, ctx.requestTimeoutMs).memberList();
    if (l.ok) return { ok: true, value: { list: l.value, via: ep } };
    last = l.error.message;
  }
  return { ok: false, error: `failed to list etcd members: ${last}`, definite: true };
}

/** Remove our own member; resolves to the removed member's id (decimal). */
export async function leaveCluster(ctx: EtcdVerbContext): Promise<ApiResult<string>> {
  const l = await memberList(ctx);
  if (!l.ok) return l;
  const self = l.value.list.find((m) => m.name === ctx.name);
  if (!self)
    return { ok: false, error: `failed to leave cluster: ${ctx.name} is not an etcd member`, definite: true };
  const until = Date.now() + Math.max(ctx.wallMs(LEAVE_BUDGET_MODEL_MS), LEAVE_BUDGET_WALL_MIN_MS);
  const pause = Math.min(ctx.wallMs(LEAVE_RETRY_MODEL_MS), LEAVE_RETRY_WALL_MAX_MS);
  for (;;) {
    let error: { message: string; definite: boolean } = { message: 'no endpoint', definite: true };
    for (const ep of ctx.endpoints) {
      const r = await new EtcdClient(ep, ctx.requestTimeoutMs).memberRemove(self.id);
      if (r.ok) return { ok: true, value: self.id };
      error = r.error;
      // A refusal is the cluster's answer: asking another member would get the same one.
      if (r.error.code !== 'unavailable') break;
    }
    if (!retriable(error.message) || Date.now() >= until)
      return {
        ok: false,
        error: `failed to leave cluster: failed to remove member ${self.id}: ${error.message}`,
        definite: error.definite,
      };
    await sleep(pause);
  }
}

/** Hand leadership to another started voter if we lead; resolves to its name, or '' if we do not lead. */
export async function forfeitLeadership(ctx: EtcdVerbContext): Promise<ApiResult<string>> {
  const l = await memberList(ctx);
  if (!l.ok) return l;
  const members = l.value.list;
  if (members.length === 1)
    return { ok: false, error: 'cannot forfeit leadership, only one member', definite: true };
  const self = members.find((m) => m.name === ctx.name);
  if (!self)
    return { ok: false, error: `failed to find "${ctx.name}" in list of etcd members`, definite: true };
  const own = self.clientURLs[0];
  if (!own) return { ok: false, error: `member ${ctx.name} has no client URL`, definite: true };
  const st = await new EtcdClient(own, ctx.requestTimeoutMs).status();
  if (!st.ok)
    return { ok: false, error: `failed to forfeit leadership: ${st.error.message}`, definite: true };
  if (st.value.leader !== self.id) return { ok: true, value: '' };
  let last = 'no other started voter';
  for (const m of members) {
    if (m.id === self.id || m.isLearner || m.name === '') continue;
    const url = m.clientURLs[0];
    if (!url || !(await new EtcdClient(url, ctx.requestTimeoutMs).status()).ok) continue;
    const r = await new EtcdClient(own, ctx.requestTimeoutMs).moveLeader(m.id);
    if (r.ok) return { ok: true, value: m.name };
    last = r.error.message;
  }
  return { ok: false, error: `failed to forfeit leadership: ${last}`, definite: false };
}

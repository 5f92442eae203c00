// convergence (liveness): once faults stop, within the bound every node is Running and Ready on the
// target version, or every node is Ready on the version it started with (a consistent rollback).
// Checked once, at the liveness deadline (TigerBeetle's VOPR liveness phase, F§7).
import type { Invariant, InvariantEnv, Violation } from './invariant.js';

export const convergenceInvariant: Invariant = {
  name: 'convergence',
  liveness: true,
  check(): Violation | null {
    return null;
  },
  finish(env: InvariantEnv): Violation | null {
    const rows = env.world.nodes.map((n) => {
      const c = n.actor.getSnapshot().context;
      return { name: n.name, ok: n.state === 'running' && c.ready, version: c.version, state: n.state };
    });
    const notReady = rows.filter((r) => !r.ok);
    const versions = new Set(rows.map((r) => r.version));
    const target = env.target ?? env.initial;
    const allTarget = notReady.length === 0 && versions.size === 1 && versions.has(target);
    const allInitial = notReady.length === 0 && versions.size === 1 && versions.has(env.initial);
    const learners = env.world.etcd.members().filter((m) => m.learner || !m.started);
    if ((allTarget || allInitial) && learners.length === 0 && env.world.etcd.leader() !== null) return null;
    const parts: string[] = [];
    if (notReady.length) parts.push(`not Ready: ${notReady.map((r) => `${r.name}(${r.state})`).join(', ')}`);
    if (!allTarget && !allInitial)
      parts.push(`versions: ${rows.map((r) => `${r.name}=${r.version ?? '-'}`).join(' ')}`);
    if (learners.length)
      parts.push(`etcd members not started voters: ${learners.map((m) => m.name).join(', ')}`);
    if (env.world.etcd.leader() === null) parts.push('etcd has no leader');
    return {
      nodes: [...new Set([...notReady.map((r) => r.name), ...learners.map((m) => m.name)])],
      message: `did not converge: ${parts.join('; ')}`,
    };
  },
};

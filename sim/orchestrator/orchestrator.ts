// The upgrade controller: a client of the node API (the same API real nodes serve), driven by a policy
// that is plain data (DESIGN.md, Orchestrator). It knows nothing of the simulator's internals: it sees only
// what status and etcd-health calls return, with their latency and their failures.
import type { NodeApi, NodeStatus } from '../api/node-api.js';
import type { UpgradePolicy } from '../scenario/types.js';
import type { Role } from '../../models/types.js';

/** How often the controller polls a node or the cluster. */
export const POLL_MS = 5_000;
/** Back-off before retrying a refused upgrade request. */
export const REFUSED_RETRY_MS = 30_000;

export type NodeOutcome = 'pending' | 'upgrading' | 'done' | 'failed' | 'skipped';

export interface OrchestratorReport {
  startedMs: number | null;
  finishedMs: number | null;
  halted: boolean;
  outcomes: Record<string, NodeOutcome>;
}

export type OrchestratorTrace = (step: string, node?: string, detail?: string) => void;

export class Orchestrator {
  private readonly queue: string[];
  private readonly roles = new Map<string, Role>();
  private readonly inFlight = new Set<string>();
  private readonly outcomes: Record<string, NodeOutcome> = {};
  /**
   * Nodes left behind under `onFailure: skip`: reported failed, never touched again, and no longer waited
   * for by the health gate (waiting for a node the rollout gave up on would only time out).
   */
  private readonly left = new Set<string>();
  private gateBusy = false;
  private halted = false;
  private startedMs: number | null = null;
  private finishedMs: number | null = null;

  constructor(
    private readonly api: NodeApi,
    private readonly target: string,
    private readonly policy: UpgradePolicy,
    roles: { name: string; role: Role }[],
    private readonly trace: OrchestratorTrace,
  ) {
    for (const r of roles) this.roles.set(r.name, r.role);
    this.queue = this.order(roles);
    for (const n of this.queue) this.outcomes[n] = 'pending';
  }

  report(): OrchestratorReport {
    return {
      startedMs: this.startedMs,
      finishedMs: this.finishedMs,
      halted: this.halted,
      outcomes: { ...this.outcomes },
    };
  }

  get finished(): boolean {
    return this.finishedMs !== null;
  }

  private order(roles: { name: string; role: Role }[]): string[] {
    const cps = roles.filter((r) => r.role === 'controlplane').map((r) => r.name);
    const ws = roles.filter((r) => r.role === 'worker').map((r) => r.name);
    switch (this.policy.order) {
      case 'controlplane-first':
        return [...cps, ...ws];
      case 'workers-first':
        return [...ws, ...cps];
      case 'explicit':
        return [...this.policy.explicitOrder];
    }
  }

  start(): void {
    this.startedMs = this.api.now();
    this.trace('start', undefined, `to ${this.target}, ${this.queue.length} nodes`);
    this.pump();
  }

  /** Launch as many nodes as the policy allows; nodes of different roles never overlap. */
  private pump(): void {
    if (this.halted || this.finishedMs !== null) return;
    if (this.queue.length === 0 && this.inFlight.size === 0) {
      this.finishedMs = this.api.now();
      this.trace(
        'finished',
        undefined,
        Object.entries(this.outcomes)
          .map(([n, o]) => `${n}=${o}`)
          .join(' '),
      );
      return;
    }
    if (this.gateBusy) return;
    const next = this.queue[0];
    if (next === undefined) return;
    const role = this.roles.get(next);
    const busyOtherRole = [...this.inFlight].some((n) => this.roles.get(n) !== role);
    if (busyOtherRole || this.inFlight.size >= this.policy.parallel) return;
    if (this.policy.healthGate) {
      this.gateBusy = true;
      this.waitHealthy(this.api.now(), (ok, why) => {
        this.gateBusy = false;
        if (!ok) {
          this.trace('health-gate-timeout', next, why);
          this.halt(`health gate: ${why}`);
          return;
        }
        this.launch();
        // Workers go in batches of `parallel` behind one gate, as operators roll worker pools; control
        // planes one at a time (etcd quorum).
        if (role === 'worker') {
          while (
            this.inFlight.size < this.policy.parallel &&
            this.roles.get(this.queue[0] ?? '') === 'worker'
          )
            this.launch();
        }
      });
    } else {
      this.launch();
      this.pump();
    }
  }

  private launch(): void {
    const node = this.queue.shift();
    if (node === undefined) return;
    this.inFlight.add(node);
    this.outcomes[node] = 'upgrading';
    // With a health gate the next launch waits until this batch finishes (finish() pumps again), so a
    // gated policy upgrades control planes one at a time and workers `parallel` at a time.
    this.attempt(node, 0);
  }

  private halt(why: string): void {
    if (this.halted) return;
    this.halted = true;
    this.finishedMs = this.api.now();
    for (const n of this.queue) this.outcomes[n] = 'skipped';
    this.trace('halt', undefined, why);
  }

  private finish(node: string, outcome: NodeOutcome, detail: string): void {
    this.inFlight.delete(node);
    this.outcomes[node] = outcome;
    this.trace(outcome === 'done' ? 'node-done' : 'node-failed', node, detail);
    // What a failed node means for the rest (issue 6, "Also"): `halt` stops the rollout; `skip` leaves the
    // node and goes on without it; `continue` goes on as if it had succeeded, so the health gate still waits
    // for it to be healthy and times out (halting) if it never is.
    if (outcome === 'failed' && this.policy.onFailure === 'halt') {
      this.halt(`${node} failed: ${detail}`);
      return;
    }
    if (outcome === 'failed' && this.policy.onFailure === 'skip') {
      this.left.add(node);
      this.trace('skip', node, 'left behind: no longer waited for by the health gate');
    }
    this.pump();
  }

  /**
   * Every node is Ready, etcd has a leader and every member is a started voter. Through one control plane
   * the gate lists every node's status at once (NodeApi.clusterStatus, as an operator asks the Kubernetes
   * API), so a poll costs two calls whatever the cluster's size; an API without that verb is asked node by
   * node, and then every node must also answer.
   */
  private waitHealthy(sinceMs: number, done: (ok: boolean, why: string) => void): void {
    const nodes = this.api.nodes().filter((n) => !this.left.has(n));
    const cp = nodes.find((n) => this.roles.get(n) === 'controlplane');
    const listed = cp !== undefined && this.api.clusterStatus !== undefined;
    let pending = (listed ? 1 : nodes.length) + 1;
    let problem: string | null = null;
    const settle = () => {
      if (--pending > 0) return;
      if (problem === null) return done(true, 'healthy');
      if (this.api.now() - sinceMs >= this.policy.healthTimeoutMs) return done(false, problem);
      this.api.after(POLL_MS, () => this.waitHealthy(sinceMs, done));
    };
    if (listed) {
      this.api.clusterStatus!(cp, (r) => {
        if (!r.ok) problem ??= `node list via ${cp}: ${r.error}`;
        else {
          const bad = r.value.find((s) => !s.ready && !this.left.has(s.name));
          if (bad) problem ??= `${bad.name} not Ready (${bad.state})`;
        }
        settle();
      });
    } else {
      for (const n of nodes) {
        this.api.status(n, (r) => {
          if (!r.ok) problem ??= `${n}: ${r.error}`;
          else if (!r.value.ready) problem ??= `${n} not Ready (${r.value.state})`;
          settle();
        });
      }
    }
    if (cp === undefined) {
      settle();
      return;
    }
    this.api.etcdHealth(cp, (r) => {
      if (!r.ok) problem ??= `etcd via ${cp}: ${r.error}`;
      else if (!r.value.leader) problem ??= 'etcd has no leader';
      else {
        const bad = r.value.members.find((m) => (m.learner || !m.started) && !this.left.has(m.name));
        if (bad) problem ??= `etcd member ${bad.name} is ${bad.learner ? 'a learner' : 'not started'}`;
      }
      settle();
    });
  }

  private attempt(node: string, attemptNo: number): void {
    const started = this.api.now();
    this.trace('upgrade-request', node, `attempt ${attemptNo + 1}`);
    this.api.upgrade(
      node,
      {
        image: this.target,
        preserve: this.policy.preserve,
        stage: this.policy.stage,
        force: this.policy.force,
        rebootMode: this.policy.rebootMode,
      },
      (r) => {
        if (!r.ok) {
          this.trace('upgrade-refused', node, r.error);
          if (attemptNo < this.policy.retries) {
            this.api.after(REFUSED_RETRY_MS, () => this.attempt(node, attemptNo + 1));
          } else {
            this.finish(node, 'failed', `refused: ${r.error}`);
          }
          return;
        }
        this.watch(node, started, attemptNo, false);
      },
    );
  }

  /** Poll the node until it is Ready on the target, comes back on another version, or times out. */
  private watch(node: string, startedMs: number, attemptNo: number, sawDown: boolean): void {
    this.api.after(POLL_MS, () => {
      this.api.status(node, (r) => {
        const down = !r.ok || !r.value.ready;
        const s: NodeStatus | null = r.ok ? r.value : null;
        if (s && s.ready && s.version === this.target && !s.upgrading) {
          this.finish(node, 'done', `ready on ${this.target} after ${this.api.now() - startedMs} ms`);
          return;
        }
        if (s && s.ready && sawDown && !s.upgrading && s.version !== this.target) {
          // It went down and came back Ready on another version: the new image was rolled back.
          this.retryOrFail(node, attemptNo, `came back on ${s.version}`);
          return;
        }
        if (this.api.now() - startedMs >= this.policy.nodeTimeoutMs) {
          this.retryOrFail(
            node,
            attemptNo,
            `not Ready on ${this.target} within ${this.policy.nodeTimeoutMs} ms`,
          );
          return;
        }
        this.watch(node, startedMs, attemptNo, sawDown || down);
      });
    });
  }

  private retryOrFail(node: string, attemptNo: number, why: string): void {
    if (attemptNo < this.policy.retries) {
      this.trace('retry', node, why);
      this.attempt(node, attemptNo + 1);
      return;
    }
    this.finish(node, 'failed', why);
  }
}

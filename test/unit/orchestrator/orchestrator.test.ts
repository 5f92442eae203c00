// The upgrade controller against a scripted node API (test/helpers/fake-node-api.ts): which nodes it asks
// to upgrade, in which order, at which time, what it reports and what it writes in the trace, for each
// policy knob (DESIGN.md, Orchestrator; issue 6 "Also" for onFailure). Replies arrive LATENCY_MS after each
// call; the controller polls every POLL_MS, so the times below are sums of those two.
import { describe, expect, it } from 'vitest';
import { Orchestrator, POLL_MS, REFUSED_RETRY_MS } from '../../../sim/orchestrator/orchestrator.js';
import type { UpgradePolicy } from '../../../sim/scenario/types.js';
import type { Role } from '../../../models/types.js';
import {
  FakeNodeApi,
  LATENCY_MS,
  ListingFakeNodeApi,
  type UpgradeScript,
} from '../../helpers/fake-node-api.js';

const CLUSTER: { name: string; role: Role }[] = [
  { name: 'cp1', role: 'controlplane' },
  { name: 'cp2', role: 'controlplane' },
  { name: 'w1', role: 'worker' },
  { name: 'w2', role: 'worker' },
];

const POLICY: UpgradePolicy = {
  order: 'controlplane-first',
  explicitOrder: [],
  parallel: 1,
  healthGate: false,
  preserve: true,
  stage: false,
  force: false,
  rebootMode: 'kexec',
  retries: 0,
  nodeTimeoutMs: 30 * 60_000,
  healthTimeoutMs: 10 * 60_000,
  onFailure: 'halt',
  etcdRejoin: 'learner',
};

interface Step {
  t: number;
  step: string;
  node?: string;
  detail?: string;
}

function setup(
  policy: Partial<UpgradePolicy> = {},
  scripts: Record<string, UpgradeScript[]> = {},
  cluster = CLUSTER,
  listing = false,
) {
  const api = listing ? new ListingFakeNodeApi(cluster, 'v1') : new FakeNodeApi(cluster, 'v1');
  for (const [n, s] of Object.entries(scripts)) api.scripts.set(n, s);
  const steps: Step[] = [];
  const o = new Orchestrator(api, 'v2', { ...POLICY, ...policy }, cluster, (step, node, detail) =>
    steps.push({ t: api.t, step, node, detail }),
  );
  const run = (untilMs = 24 * 3_600_000) => {
    o.start();
    api.run(untilMs);
  };
  const named = (name: string) => steps.filter((s) => s.step === name);
  return { api, o, steps, run, named };
}

// An accepted request answers at 10; the node is down from then for 60 s. Watch polls: status at 10 + 5000,
// answered at 5020, then every POLL_MS + LATENCY_MS: answers at 5020, 10030, ..., 60070 (the first after
// 60010, when the node is back).
const DONE_AFTER_MS = LATENCY_MS + 12 * (POLL_MS + LATENCY_MS);

describe('orchestrator without a health gate', () => {
  it('upgrades control planes first, one node at a time, each as soon as the previous is seen Ready', () => {
    const { api, o, run, named } = setup();
    expect(o.finished).toBe(false);
    run();
    expect(DONE_AFTER_MS).toBe(60_130);
    const d = DONE_AFTER_MS;
    expect(api.upgrades()).toEqual(['0 cp1', `${d} cp2`, `${2 * d} w1`, `${3 * d} w2`]);
    expect(o.finished).toBe(true);
    expect(o.report()).toEqual({
      startedMs: 0,
      finishedMs: 4 * d,
      halted: false,
      outcomes: { cp1: 'done', cp2: 'done', w1: 'done', w2: 'done' },
    });
    expect(named('start')).toEqual([{ t: 0, step: 'start', node: undefined, detail: 'to v2, 4 nodes' }]);
    expect(named('node-done')[0]).toEqual({
      t: d,
      step: 'node-done',
      node: 'cp1',
      detail: `ready on v2 after ${d} ms`,
    });
    expect(named('upgrade-request')[0]?.detail).toBe('attempt 1');
    expect(named('finished')).toEqual([
      { t: 4 * d, step: 'finished', node: undefined, detail: 'cp1=done cp2=done w1=done w2=done' },
    ]);
  });

  it('reports every node pending before it starts, and the one in flight as upgrading', () => {
    const { api, o } = setup();
    expect(o.report()).toEqual({
      startedMs: null,
      finishedMs: null,
      halted: false,
      outcomes: { cp1: 'pending', cp2: 'pending', w1: 'pending', w2: 'pending' },
    });
    o.start();
    api.run(1_000);
    expect(o.report().outcomes).toEqual({ cp1: 'upgrading', cp2: 'pending', w1: 'pending', w2: 'pending' });
    expect(o.report().startedMs).toBe(0);
  });

  it('passes the policy options and the target image with every request', () => {
    const { api, run } = setup({ preserve: false, stage: true, force: true, rebootMode: 'powercycle' });
    run();
    expect(api.calls.find((c) => c.op === 'upgrade')?.options).toEqual({
      image: 'v2',
      preserve: false,
      stage: true,
      force: true,
      rebootMode: 'powercycle',
    });
  });

  it('workers-first and explicit orders', () => {
    const w = setup({ order: 'workers-first' });
    w.run();
    expect(w.api.upgrades().map((u) => u.split(' ')[1])).toEqual(['w1', 'w2', 'cp1', 'cp2']);
    const e = setup({ order: 'explicit', explicitOrder: ['w2', 'cp2', 'w1', 'cp1'] });
    e.run();
    expect(e.api.upgrades().map((u) => u.split(' ')[1])).toEqual(['w2', 'cp2', 'w1', 'cp1']);
    expect(e.named('start')[0]?.detail).toBe('to v2, 4 nodes');
  });

  it('parallel 2: both control planes at once, the workers only after both are done (roles never overlap)', () => {
    const { api, run, o } = setup({ parallel: 2 }, { cp2: [{ downMs: 120_000 }] });
    run();
    const cp2Done = LATENCY_MS + 24 * (POLL_MS + LATENCY_MS);
    expect(api.upgrades()).toEqual(['0 cp1', '0 cp2', `${cp2Done} w1`, `${cp2Done} w2`]);
    expect(o.report().finishedMs).toBe(cp2Done + DONE_AFTER_MS);
  });

  it('parallel 3 with 2 control planes: still never a worker beside a control plane', () => {
    const { api, run } = setup({ parallel: 3 }, { cp1: [{ downMs: 30_000 }] });
    run();
    const ups = api.upgrades();
    expect(ups.slice(0, 2)).toEqual(['0 cp1', '0 cp2']);
    expect(ups.slice(2)).toEqual([`${DONE_AFTER_MS} w1`, `${DONE_AFTER_MS} w2`]);
  });

  it('a refused request is retried after REFUSED_RETRY_MS, up to `retries` more times, then the node fails', () => {
    const { api, run, o, named } = setup({ retries: 2 }, { cp1: [{ refuse: 'upgrade in progress' }] });
    run();
    const gap = LATENCY_MS + REFUSED_RETRY_MS;
    expect(api.upgrades()).toEqual(['0 cp1', `${gap} cp1`, `${2 * gap} cp1`]);
    expect(named('upgrade-request').map((s) => s.detail)).toEqual(['attempt 1', 'attempt 2', 'attempt 3']);
    expect(named('upgrade-refused').map((s) => s.detail)).toEqual(Array(3).fill('upgrade in progress'));
    expect(named('node-failed')).toEqual([
      { t: 2 * gap + LATENCY_MS, step: 'node-failed', node: 'cp1', detail: 'refused: upgrade in progress' },
    ]);
    // onFailure: halt stops the rollout and marks what was still queued as skipped.
    expect(o.report()).toEqual({
      startedMs: 0,
      finishedMs: 2 * gap + LATENCY_MS,
      halted: true,
      outcomes: { cp1: 'failed', cp2: 'skipped', w1: 'skipped', w2: 'skipped' },
    });
    expect(named('halt')).toEqual([
      {
        t: 2 * gap + LATENCY_MS,
        step: 'halt',
        node: undefined,
        detail: 'cp1 failed: refused: upgrade in progress',
      },
    ]);
    expect(named('finished')).toEqual([]);
  });

  it('a refused request that is accepted on the retry goes on normally', () => {
    const { api, run, o } = setup({ retries: 1 }, { cp1: [{ refuse: 'busy' }, { downMs: 60_000 }] });
    run();
    expect(api.upgrades().slice(0, 2)).toEqual(['0 cp1', `${LATENCY_MS + REFUSED_RETRY_MS} cp1`]);
    expect(o.report().outcomes.cp1).toBe('done');
    expect(o.report().halted).toBe(false);
  });

  it('a node that goes down and comes back Ready on the old version was rolled back: retried, then failed', () => {
    const { api, run, named, o } = setup({ retries: 1 }, { cp1: [{ downMs: 60_000, version: 'v1' }] });
    run();
    expect(named('retry')).toEqual([
      { t: DONE_AFTER_MS, step: 'retry', node: 'cp1', detail: 'came back on v1' },
    ]);
    expect(api.upgrades()).toEqual(['0 cp1', `${DONE_AFTER_MS} cp1`]);
    expect(named('node-failed')).toEqual([
      { t: 2 * DONE_AFTER_MS, step: 'node-failed', node: 'cp1', detail: 'came back on v1' },
    ]);
    expect(o.report().halted).toBe(true);
  });

  it('a node still Ready on the old version that never went down is not a rollback: it times out', () => {
    // Accepted, but Ready again on v1 before the first poll: the controller never saw it down.
    const s = setup({ nodeTimeoutMs: 15_040, retries: 1 }, { cp1: [{ downMs: 0, version: 'v1' }] });
    s.run();
    expect(s.named('retry').map((r) => r.detail)).toEqual(['not Ready on v2 within 15040 ms']);
    expect(s.named('node-failed')).toEqual([
      { t: 2 * 15_040, step: 'node-failed', node: 'cp1', detail: 'not Ready on v2 within 15040 ms' },
    ]);
  });

  it('the node timeout is checked at each poll answer and fires at the first one at or past the bound', () => {
    // Poll answers at 5020, 10030, 15040, 20050: a bound of exactly 15040 fails the node at 15040.
    for (const [bound, at] of [
      [15_040, 15_040],
      [15_041, 20_050],
    ] as const) {
      const s = setup({ nodeTimeoutMs: bound }, { cp1: [{ hang: true }] });
      s.run();
      expect(s.named('node-failed')).toEqual([
        { t: at, step: 'node-failed', node: 'cp1', detail: `not Ready on v2 within ${bound} ms` },
      ]);
    }
  });

  // Poll answers for a request at 0: 10 + k * 5010 for k >= 1, i.e. 5020, 10030, ..., 20050, ..., 40090.
  it('a node Ready on the target but still upgrading is not done until it stops upgrading', () => {
    const s = setup({}, { cp1: [{ hang: true }] });
    const cp1 = s.api.state.get('cp1')!;
    s.api.after(20_000, () => Object.assign(cp1, { ready: true, version: 'v2', state: 'running' }));
    s.api.after(40_000, () => Object.assign(cp1, { upgrading: false }));
    s.run();
    expect(s.named('node-done')[0]).toMatchObject({ t: 40_090, node: 'cp1' });
  });

  it('a node back on the old version but still upgrading is not yet a rollback', () => {
    const s = setup({}, { cp1: [{ hang: true }] });
    const cp1 = s.api.state.get('cp1')!;
    s.api.after(20_000, () => Object.assign(cp1, { ready: true, state: 'running' }));
    s.api.after(40_000, () => Object.assign(cp1, { upgrading: false }));
    s.run();
    expect(s.named('node-failed')).toEqual([
      { t: 40_090, step: 'node-failed', node: 'cp1', detail: 'came back on v1' },
    ]);
  });

  it('a node that does not answer while it reboots counts as down: back on the old version is a rollback', () => {
    const s = setup({}, { cp1: [{ hang: true }] });
    const cp1 = s.api.state.get('cp1')!;
    // Answers (Ready, upgrading) until 8 s, then no answer until 20 s, then Ready on v1.
    s.api.after(1_000, () => Object.assign(cp1, { ready: true, state: 'running' }));
    s.api.after(8_000, () => (cp1.unreachable = 'connection refused'));
    s.api.after(20_000, () => Object.assign(cp1, { unreachable: null, upgrading: false }));
    s.run();
    expect(s.named('node-failed')).toEqual([
      { t: 20_050, step: 'node-failed', node: 'cp1', detail: 'came back on v1' },
    ]);
  });

  it('two nodes failing under halt: halted once, at the first failure', () => {
    const s = setup({ parallel: 2 }, { cp1: [{ refuse: 'a' }], cp2: [{ hang: true }] });
    s.run();
    expect(s.named('halt')).toEqual([
      { t: LATENCY_MS, step: 'halt', node: undefined, detail: 'cp1 failed: refused: a' },
    ]);
    expect(s.o.report()).toMatchObject({ halted: true, finishedMs: LATENCY_MS });
  });

  it('skip: the failed node is left behind and the rest is still upgraded', () => {
    const { api, run, o, named } = setup({ onFailure: 'skip' }, { cp1: [{ refuse: 'no' }] });
    run();
    expect(o.report()).toMatchObject({
      halted: false,
      outcomes: { cp1: 'failed', cp2: 'done', w1: 'done', w2: 'done' },
    });
    expect(named('skip')).toEqual([
      {
        t: LATENCY_MS,
        step: 'skip',
        node: 'cp1',
        detail: 'left behind: no longer waited for by the health gate',
      },
    ]);
    expect(api.upgrades().map((u) => u.split(' ')[1])).toEqual(['cp1', 'cp2', 'w1', 'w2']);
    expect(named('finished')[0]?.detail).toBe('cp1=failed cp2=done w1=done w2=done');
  });

  it('continue: the failed node is reported failed and the rollout goes on as if it had succeeded', () => {
    const { run, o, named } = setup({ onFailure: 'continue' }, { cp1: [{ refuse: 'no' }] });
    run();
    expect(o.report()).toMatchObject({
      halted: false,
      outcomes: { cp1: 'failed', cp2: 'done', w1: 'done', w2: 'done' },
    });
    expect(named('skip')).toEqual([]);
  });
});

describe('orchestrator with a health gate, asking node by node (an API without clusterStatus)', () => {
  // The gate asks every node's status and etcd health (through the first control plane) at once; all
  // answers arrive LATENCY_MS later. Healthy: the node is launched then.
  const gated = { healthGate: true };

  it('asks every node and etcd before each launch, and launches at the answers', () => {
    const { api, run, o } = setup(gated);
    run();
    const before = api.calls.filter((c) => c.t === 0).map((c) => `${c.op} ${c.node}`);
    expect(before).toEqual(['status cp1', 'status cp2', 'status w1', 'status w2', 'etcdHealth cp1']);
    const ups = api.upgrades();
    expect(ups[0]).toBe(`${LATENCY_MS} cp1`);
    // cp1 is seen done at 10 + 60130; the gate then asks again and launches cp2 10 ms later.
    expect(ups[1]).toBe(`${2 * LATENCY_MS + DONE_AFTER_MS} cp2`);
    expect(o.report().outcomes).toEqual({ cp1: 'done', cp2: 'done', w1: 'done', w2: 'done' });
  });

  it('waits while a node is not Ready, polling every POLL_MS, and launches once it is', () => {
    const { api, o, named } = setup(gated);
    const w2 = api.state.get('w2')!;
    Object.assign(w2, { ready: false, state: 'booting' });
    api.after(7_000, () => Object.assign(w2, { ready: true, state: 'running' }));
    o.start();
    api.run(60_000);
    // Answers at 10 (w2 not Ready), 5020 (not yet), 10030 (Ready): launched then.
    expect(api.upgrades()).toEqual([`${3 * LATENCY_MS + 2 * POLL_MS} cp1`]);
    expect(named('health-gate-timeout')).toEqual([]);
  });

  it('times out at the first answer at or past healthTimeoutMs, says why, and halts', () => {
    for (const [bound, at] of [
      [10_030, 10_030],
      [10_031, 15_040],
    ] as const) {
      const s = setup({ ...gated, healthTimeoutMs: bound });
      s.api.state.get('w1')!.unreachable = 'connection refused';
      s.run();
      expect(s.api.upgrades()).toEqual([]);
      expect(s.named('health-gate-timeout')).toEqual([
        { t: at, step: 'health-gate-timeout', node: 'cp1', detail: 'w1: connection refused' },
      ]);
      expect(s.named('halt')[0]?.detail).toBe('health gate: w1: connection refused');
      expect(s.o.report()).toEqual({
        startedMs: 0,
        finishedMs: at,
        halted: true,
        outcomes: { cp1: 'skipped', cp2: 'skipped', w1: 'skipped', w2: 'skipped' },
      });
    }
  });

  it('names the first problem it meets: a node not Ready, then etcd', () => {
    const cases: [string, (api: FakeNodeApi) => void][] = [
      [
        'cp2 not Ready (installing)',
        (api) => {
          Object.assign(api.state.get('cp2')!, { ready: false, state: 'installing' });
          api.etcd = () => ({ ok: false, error: 'timeout', definite: false });
        },
      ],
      [
        'etcd via cp1: timeout',
        (api) => (api.etcd = () => ({ ok: false, error: 'timeout', definite: false })),
      ],
      [
        'etcd has no leader',
        (api) => (api.etcd = () => ({ ok: true, value: { leader: null, members: [], healthy: false } })),
      ],
      [
        'etcd member cp2 is a learner',
        (api) =>
          (api.etcd = () => ({
            ok: true,
            value: {
              leader: 'a',
              healthy: true,
              members: [
                { id: 'a', name: 'cp1', learner: false, started: true },
                { id: 'b', name: 'cp2', learner: true, started: true },
              ],
            },
          })),
      ],
      [
        'etcd member cp2 is not started',
        (api) =>
          (api.etcd = () => ({
            ok: true,
            value: {
              leader: 'a',
              healthy: true,
              members: [
                { id: 'a', name: 'cp1', learner: false, started: true },
                { id: 'b', name: 'cp2', learner: false, started: false },
              ],
            },
          })),
      ],
    ];
    for (const [why, breakIt] of cases) {
      const s = setup({ ...gated, healthTimeoutMs: 0 });
      breakIt(s.api);
      s.run();
      expect(s.named('health-gate-timeout').map((x) => x.detail)).toEqual([why]);
      expect(s.named('health-gate-timeout')[0]?.t).toBe(LATENCY_MS);
    }
  });

  it('skip: a node left behind is no longer asked, nor its etcd member counted', () => {
    const s = setup({ ...gated, onFailure: 'skip' }, { cp1: [{ hang: true }] }, CLUSTER);
    // cp1 never comes back: not Ready, and its etcd member not started (the fake's etcd follows the nodes).
    s.run();
    expect(s.o.report().outcomes).toEqual({ cp1: 'failed', cp2: 'done', w1: 'done', w2: 'done' });
    const failedAt = s.named('node-failed')[0]!.t;
    const asked = s.api.calls.filter((c) => c.t >= failedAt).map((c) => `${c.op} ${c.node}`);
    expect(asked).not.toContain('status cp1');
    // With cp1 left behind the etcd health is asked through the next control plane.
    expect(asked).toContain('etcdHealth cp2');
    expect(asked).not.toContain('etcdHealth cp1');
  });

  it('continue: a failed node is still waited for, so the gate times out and halts', () => {
    const s = setup(
      { ...gated, onFailure: 'continue', nodeTimeoutMs: 60_000, healthTimeoutMs: 60_000 },
      { cp1: [{ hang: true }] },
    );
    s.run();
    expect(s.o.report().outcomes).toEqual({ cp1: 'failed', cp2: 'skipped', w1: 'skipped', w2: 'skipped' });
    expect(s.named('health-gate-timeout')[0]?.detail).toBe('cp1 not Ready (installing)');
  });

  it('a cluster without control planes: the gate asks the nodes only, and etcd not at all', () => {
    const workers: { name: string; role: Role }[] = [
      { name: 'w1', role: 'worker' },
      { name: 'w2', role: 'worker' },
    ];
    const s = setup(gated, {}, workers);
    s.run();
    expect(s.api.calls.some((c) => c.op === 'etcdHealth')).toBe(false);
    expect(s.api.upgrades()[0]).toBe(`${LATENCY_MS} w1`);
    expect(s.o.report().outcomes).toEqual({ w1: 'done', w2: 'done' });
  });

  it('workers first, parallel 3: the worker batch does not take a control plane along', () => {
    const s = setup({ ...gated, order: 'workers-first', parallel: 3 });
    s.run();
    const byTime = new Map<string, string[]>();
    for (const u of s.api.upgrades()) {
      const [t, n] = u.split(' ') as [string, string];
      byTime.set(t, [...(byTime.get(t) ?? []), n]);
    }
    expect([...byTime.values()]).toEqual([['w1', 'w2'], ['cp1'], ['cp2']]);
  });

  it('parallel 2: workers go two at a time behind one gate, control planes one at a time', () => {
    const cluster: { name: string; role: Role }[] = [
      { name: 'cp1', role: 'controlplane' },
      { name: 'cp2', role: 'controlplane' },
      { name: 'w1', role: 'worker' },
      { name: 'w2', role: 'worker' },
      { name: 'w3', role: 'worker' },
    ];
    const s = setup({ ...gated, parallel: 2 }, {}, cluster);
    s.run();
    const byTime = new Map<string, string[]>();
    for (const u of s.api.upgrades()) {
      const [t, n] = u.split(' ') as [string, string];
      byTime.set(t, [...(byTime.get(t) ?? []), n]);
    }
    expect([...byTime.values()]).toEqual([['cp1'], ['cp2'], ['w1', 'w2'], ['w3']]);
    expect(s.o.report().outcomes.w3).toBe('done');
  });
});

describe('orchestrator with a health gate, listing the nodes through a control plane (clusterStatus)', () => {
  const gated = { healthGate: true };

  it('two calls per poll, both through the first control plane, whatever the cluster size', () => {
    const s = setup(gated, {}, CLUSTER, true);
    s.run();
    const first = s.api.calls.filter((c) => c.t === 0).map((c) => `${c.op} ${c.node}`);
    expect(first).toEqual(['clusterStatus cp1', 'etcdHealth cp1']);
    expect(s.api.calls.some((c) => c.op === 'status' && c.t < LATENCY_MS)).toBe(false);
    expect(s.api.upgrades()[0]).toBe(`${LATENCY_MS} cp1`);
    expect(s.o.report().outcomes).toEqual({ cp1: 'done', cp2: 'done', w1: 'done', w2: 'done' });
  });

  it('names the first node in the list that is not Ready, and a failed list by the node asked', () => {
    const s = setup({ ...gated, healthTimeoutMs: 0 }, {}, CLUSTER, true);
    Object.assign(s.api.state.get('w1')!, { ready: false, state: 'kernel' });
    Object.assign(s.api.state.get('w2')!, { ready: false, state: 'off' });
    s.run();
    expect(s.named('health-gate-timeout').map((x) => x.detail)).toEqual(['w1 not Ready (kernel)']);
    const f = setup({ ...gated, healthTimeoutMs: 0 }, {}, CLUSTER, true);
    f.api.state.get('cp1')!.unreachable = 'deadline exceeded';
    f.api.etcd = () => ({ ok: false, error: 'timeout', definite: false });
    f.run();
    expect(f.named('health-gate-timeout').map((x) => x.detail)).toEqual([
      'node list via cp1: deadline exceeded',
    ]);
  });

  it('a node left behind (skip) is not waited for, though the list still shows it', () => {
    const s = setup({ ...gated, onFailure: 'skip' }, { cp1: [{ hang: true }] }, CLUSTER, true);
    s.run();
    expect(s.o.report().outcomes).toEqual({ cp1: 'failed', cp2: 'done', w1: 'done', w2: 'done' });
    const failedAt = s.named('node-failed')[0]!.t;
    expect(
      s.api.calls.filter((c) => c.t >= failedAt && c.op === 'clusterStatus').map((c) => c.node),
    ).toContain('cp2');
  });

  it('without a control plane there is nothing to list through: asked node by node', () => {
    const workers: { name: string; role: Role }[] = [
      { name: 'w1', role: 'worker' },
      { name: 'w2', role: 'worker' },
    ];
    const s = setup(gated, {}, workers, true);
    s.run();
    expect(s.api.calls.filter((c) => c.t === 0).map((c) => `${c.op} ${c.node}`)).toEqual([
      'status w1',
      'status w2',
    ]);
    expect(s.o.report().outcomes).toEqual({ w1: 'done', w2: 'done' });
  });
});

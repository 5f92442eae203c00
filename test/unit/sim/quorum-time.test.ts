// metrics.timeWithoutQuorumMs charges each interval between two events by the state the cluster was in
// during it, i.e. the state after the earlier event (issue 6 item 12). Charging by the state after the later
// event is off by one gap at each end of every episode: the gap before quorum is lost is charged although
// etcd still had a leader, and the gap before a leader is elected again is not. With no workload the gaps are
// long (the next event may be minutes away), which is where the old bookkeeping was 15 % high.
// Quorum is etcd's hasQuorum(): a leader, or a connected majority of started voters whose election will
// produce one. The leaderless second of a normal election (F§4: 1-2.5 s) is not lost quorum.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../sim/simulate.js';
import { scenario } from '../../helpers/scenario.js';

interface Line {
  kind: string;
  t: number;
  type?: string;
  step?: string;
  leader?: string | null;
}

/** Time without an etcd leader read off the trace's own leader changes, from cluster formation to the end. */
function outageFromTrace(trace: string): { totalMs: number; episodes: [number, number][] } {
  const lines = trace
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
  const end = lines[lines.length - 1]!;
  let formed = false;
  let lostAt: number | null = null;
  const episodes: [number, number][] = [];
  for (const e of lines) {
    if (e.kind !== 'event') continue;
    if (e.type === 'orchestrator' && e.step === 'cluster-formed') formed = true;
    if (!formed || e.type !== 'etcd.leader') continue;
    if (e.leader === null && lostAt === null) lostAt = e.t;
    if (e.leader !== null && lostAt !== null) {
      episodes.push([lostAt, e.t]);
      lostAt = null;
    }
  }
  if (lostAt !== null) episodes.push([lostAt, end.t]);
  return { totalMs: episodes.reduce((s, [a, b]) => s + (b - a), 0), episodes };
}

const QUIET = `name: quorum-time
seed: 7
duration: 60m
liveness: { faultsUntil: 50m, bound: 10m }
cluster: { controlPlanes: 3, workers: 0, version: v1.8.0 }
workload: { etcdWritesPerSecond: 0 }
checkpointEvery: 60m
invariants: [quorum]
quorumTolerateFaults: false
`;

describe('timeWithoutQuorumMs', () => {
  it('a full three-way partition for exactly 2 m, no workload: exactly 2 m (the election after the heal is not lost quorum)', () => {
    const s = scenario(
      QUIET + 'faults:\n  - { at: 20m, type: partition, groups: [[cp1], [cp2], [cp3]], duration: 2m }\n',
    );
    const r = simulate(s);
    const fromTrace = outageFromTrace(r.trace!);
    expect(fromTrace.episodes.length).toBe(1);
    const [lost, back] = fromTrace.episodes[0]!;
    // Quorum goes at the instant of the cut and comes back at the heal; the leader follows one election
    // later, and that election is not lost quorum.
    expect(lost).toBe(20 * 60_000);
    expect(back).toBeGreaterThan(22 * 60_000);
    expect(back).toBeLessThan(22 * 60_000 + 10_000);
    expect(r.metrics.timeWithoutQuorumMs).toBe(2 * 60_000);
  });

  it('two overlapping power losses and two overlapping isolations: exactly the time without a connected majority', () => {
    const s = scenario(
      QUIET +
        'faults:\n' +
        '  - { at: 20m, type: powerLoss, node: cp1, duration: 6m }\n' +
        '  - { at: 23m, type: powerLoss, node: cp2, duration: 1m }\n' +
        '  - { at: 35m, type: partition, isolate: cp3, duration: 30s }\n' +
        '  - { at: 35m10s, type: partition, isolate: cp2, duration: 30s }\n',
    );
    const r = simulate(s);
    const fromTrace = outageFromTrace(r.trace!);
    // Leaderless: cp1's power loss (one election), cp2's on top of it (lost quorum), the double isolation.
    expect(fromTrace.episodes.length).toBe(3);
    expect(fromTrace.episodes[0]![1] - fromTrace.episodes[0]![0]).toBeLessThanOrEqual(2_500);
    expect(fromTrace.episodes[1]![0]).toBe(23 * 60_000);
    expect(fromTrace.episodes[2]![0]).toBe(35 * 60_000 + 10_000);
    // Quorum is back when cp2's etcd member starts again (a majority is then connected), and when cp3's
    // isolation heals at 35m30s; the elections after those moments do not count.
    const cp2Back = r
      .trace!.split('\n')
      .map((l) => JSON.parse(l || '{}') as Line & { node?: string; change?: string })
      .find(
        (e) => e.type === 'etcd.member' && e.node === 'cp2' && e.change === 'started' && e.t > 24 * 60_000,
      )!.t;
    expect(r.metrics.timeWithoutQuorumMs).toBe(cp2Back - 23 * 60_000 + 20_000);
  });

  it('quorum lost until the end of the run is charged up to the end', () => {
    const s = scenario(
      QUIET.replace(
        'liveness: { faultsUntil: 50m, bound: 10m }',
        'liveness: { faultsUntil: 60m, bound: 0 }',
      ) + 'faults:\n  - { at: 40m, type: partition, groups: [[cp1], [cp2], [cp3]], duration: 30m }\n',
    );
    const r = simulate(s);
    expect(r.metrics.timeWithoutQuorumMs).toBe(20 * 60_000);
    expect(outageFromTrace(r.trace!).totalMs).toBe(20 * 60_000);
  });
});

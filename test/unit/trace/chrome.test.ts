// The Chrome Trace Event export (sim/trace/chrome.ts) has the structure of the viewer's lanes: nodes as
// processes, stages and upgrade steps as slices, faults as async spans, quorum and members as counters.
// The slices are compared with the viewer's own model of the same trace, so the two cannot drift apart.
import { describe, expect, it } from 'vitest';
import { CLUSTER_PID, NODE_TIDS, toChromeTrace, type ChromeTraceEvent } from '../../../sim/trace/chrome.js';
import { readTraceText } from '../../../sim/trace/reader.js';
import { buildModel, type Model } from '../../../viz/src/model/build.js';
import { fixtureTrace, WITH_LEARNERS, WITH_REVERT, WITH_VIOLATION } from '../../viz/fixtures.js';

function both(file: string): { ev: ChromeTraceEvent[]; model: Model } {
  const text = fixtureTrace(file);
  const r = buildModel(text, file);
  if (!r.ok) throw new Error(r.error.message);
  return { ev: toChromeTrace(readTraceText(text, file)).traceEvents, model: r.model };
}

const ms = (us: number) => us / 1000;

describe.each([WITH_VIOLATION, WITH_REVERT, WITH_LEARNERS])('Chrome export of %s', (file) => {
  const { ev, model } = both(file);
  const meta = (name: string) => ev.filter((e) => e.ph === 'M' && e.name === name);

  it('is one process for the cluster and one per node, each with named threads', () => {
    const procs = meta('process_name').map((e) => [e.pid, String(e.args?.name)]);
    expect(procs[0]).toEqual([CLUSTER_PID, 'cluster']);
    expect(procs.slice(1).map(([pid, n]) => [pid, String(n).split(' ')[0]])).toEqual(
      model.nodes.map((n, i) => [CLUSTER_PID + 1 + i, n.name]),
    );
    for (let i = 0; i < model.nodes.length; i++) {
      const threads = meta('thread_name')
        .filter((e) => e.pid === CLUSTER_PID + 1 + i)
        .map((e) => String(e.args?.name));
      expect(threads).toEqual(['stage', 'upgrade', 'events']);
    }
  });

  it('has one stage slice per interval of the stage lane, and one upgrade slice per step interval', () => {
    model.nodes.forEach((n, i) => {
      const pid = CLUSTER_PID + 1 + i;
      const slices = (tid: number) =>
        ev
          .filter((e) => e.ph === 'X' && e.pid === pid && e.tid === tid && e.dur! > 0)
          .map((e) => [e.name, ms(e.ts), ms(e.ts + e.dur!)]);
      expect(slices(NODE_TIDS.stage), `${n.name} stages`).toEqual(
        n.lanes.stage.map((s) => [s.value, s.startMs, s.endMs]),
      );
      expect(slices(NODE_TIDS.upgrade), `${n.name} upgrade steps`).toEqual(
        n.lanes.step.map((s) => [s.value, s.startMs, s.endMs]),
      );
    });
  });

  it('has faults as async spans ("b"/"e" pairs) matching the fault and partition spans', () => {
    const begins = ev.filter((e) => e.ph === 'b');
    const ends = new Map(ev.filter((e) => e.ph === 'e').map((e) => [e.id, e]));
    const spans = begins.map((b) => [b.name, ms(b.ts), ms(ends.get(b.id)!.ts)]);
    const expected = [...model.faults, ...model.partitions]
      .sort((a, b) => a.startMs - b.startMs || a.id - b.id)
      .map((s) => [s.label, s.startMs, s.endMs]);
    expect(new Set(begins.map((b) => b.id)).size).toBe(begins.length);
    expect(begins.length).toBe(ends.size);
    expect(spans.sort()).toEqual(expected.sort());
  });

  it('has quorum and members counters that change where the cluster band changes', () => {
    const counter = (name: string) => ev.filter((e) => e.ph === 'C' && e.name === name);
    const quorum = counter('quorum').map((e) => [ms(e.ts), e.args?.held === 1 ? 'held' : 'lost']);
    const band = model.quorum.filter((q) => q.value !== 'forming').map((q) => [q.startMs, q.value]);
    expect(quorum).toEqual(band);
    const members = counter('etcd members').map((e) => {
      const { voters, learners } = e.args as { voters: number; learners: number };
      return [ms(e.ts), voters, learners];
    });
    expect(members.length).toBeGreaterThan(0);
    // Every change of the members lane is a counter sample with the same numbers.
    for (const m of model.members) {
      const [v, l] = [Number(m.value.split(' ')[0]), Number(/(\d+) learner/.exec(m.value)?.[1] ?? 0)];
      expect(
        members.some(([t, voters, learners]) => t === m.startMs && voters === v && learners === l),
        m.value,
      ).toBe(true);
    }
  });
});

describe('Chrome export of a violation', () => {
  it('is a process-scoped instant on the cluster invariants thread', () => {
    const { ev, model } = both(WITH_VIOLATION);
    const v = ev.filter((e) => e.cat === 'violation');
    expect(v.map((e) => [e.ph, e.s, e.pid, ms(e.ts)])).toEqual(
      model.violations.map((m) => ['i', 'p', CLUSTER_PID, m.tMs]),
    );
  });
});

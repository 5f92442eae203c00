// State at time t (nearest checkpoint + events after it) must equal a replay of every line from the start;
// and replaying events alone from one checkpoint must reproduce the next checkpoint's state, so the
// viewer's event rules agree with the simulator (sim/trace/types.ts TraceCheckpoint).
import { describe, expect, it } from 'vitest';
import { buildModel, type Model } from '../../../viz/src/model/build.js';
import { stateAt } from '../../../viz/src/model/state-at.js';
import { applyCheckpoint, applyEvent, initialView, type ClusterView } from '../../../viz/src/model/state.js';
import type { TraceCheckpoint } from '../../../sim/trace/types.js';
import type { AnyEvent } from '../../../viz/src/trace/events.js';
import { fixtureTrace, WITH_LEARNERS, WITH_REVERT, WITH_VIOLATION } from '../fixtures.js';

function modelOf(file: string): { model: Model; text: string } {
  const text = fixtureTrace(file);
  const r = buildModel(text, file);
  if (!r.ok) throw new Error(r.error.message);
  return { model: r.model, text };
}

interface Line {
  kind: string;
  t: number;
}

/**
 * Replays every line in order (the reference the seek is compared to) and calls `at(t, view)` once all
 * lines with time <= t are applied, for each t of `times` (ascending).
 */
function replay(
  text: string,
  times: readonly number[],
  at: (t: number, view: ClusterView) => void,
  opts: { checkpoints: 'all' | 'first' } = { checkpoints: 'all' },
): void {
  const lines = text.split('\n').filter((l) => l !== '');
  const view = initialView(JSON.parse(lines[0]!));
  const members = new Map<string, string>();
  let ti = 0;
  let seenCheckpoint = false;
  const flush = (beforeMs: number) => {
    while (ti < times.length && times[ti]! < beforeMs) {
      view.t = times[ti]!;
      at(times[ti]!, view);
      ti++;
    }
  };
  for (const l of lines.slice(1)) {
    const v = JSON.parse(l) as Line;
    flush(v.t);
    if (v.kind === 'event') applyEvent(view, v as AnyEvent, members);
    else if (v.kind === 'checkpoint' && (opts.checkpoints === 'all' || !seenCheckpoint)) {
      applyCheckpoint(view, v as TraceCheckpoint, members);
      seenCheckpoint = true;
    }
  }
  flush(Infinity);
}

/** The fields a seek reproduces; `seq` is bookkeeping of how the state was reached. */
function comparable(v: ClusterView): Omit<ClusterView, 'seq'> {
  const { seq: _seq, ...rest } = v;
  return rest;
}

describe.each([WITH_VIOLATION, WITH_REVERT, WITH_LEARNERS])('state at t (%s)', (file) => {
  it('equals a replay from the start at every event time, checkpoint and in between', () => {
    const { model, text } = modelOf(file);
    const times = new Set<number>([0, model.endMs]);
    for (const e of model.events) times.add(e.t);
    for (const s of model.snapshots) {
      times.add(s.tMs);
      times.add(s.tMs + 1);
      times.add(s.tMs - 1);
    }
    const sorted = [...times].filter((t) => t >= 0).sort((a, b) => a - b);
    let compared = 0;
    replay(text, sorted, (t, view) => {
      expect(comparable(stateAt(model, t)), `t=${t}`).toEqual(comparable(view));
      compared++;
    });
    expect(compared).toBe(sorted.length);
  });

  it('events alone, from the first checkpoint on, reproduce every later checkpoint (FACTS §2-4 fields)', () => {
    const { model, text } = modelOf(file);
    expect(model.snapshots.length).toBeGreaterThan(10);
    const pick = (v: Pick<ClusterView, 'leader' | 'term' | 'voters' | 'learners' | 'nodes'>) => ({
      leader: v.leader,
      term: v.term,
      voters: v.voters,
      learners: v.learners,
      nodes: v.nodes.map((n) => ({
        name: n.name,
        state: n.state,
        version: n.version,
        slot: n.slot,
        ready: n.ready,
        slots: n.slots,
        bootDefault: n.bootDefault,
        bootFallback: n.bootFallback,
        metaFallback: n.metaFallback,
        etcd: n.etcd && { member: n.etcd.member, role: n.etcd.role, started: n.etcd.started },
      })),
    });
    // A checkpoint is written after the events of its instant, so compare at the time just before the
    // next line: the checkpoint's own state (from the model's snapshot) against the event-only replay.
    const times = model.snapshots.slice(1).map((s) => s.tMs);
    let compared = 0;
    replay(
      text,
      times,
      (t, view) => {
        const snap = model.snapshots.find((s) => s.tMs === t)!;
        expect(pick(view), `checkpoint at t=${t}`).toEqual(pick(snap.view));
        compared++;
      },
      { checkpoints: 'first' },
    );
    expect(compared).toBe(times.length);
  });
});

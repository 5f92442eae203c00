// The rows of one run, top to bottom, and their heights in CSS pixels. Shared by the canvas, the SVG
// overlay and hit testing so that they agree on where everything is.
import { NODE_LANES, type Model, type NodeLane } from '../model/build.js';

export type RowKind =
  | { kind: 'quorum' }
  | { kind: 'members' }
  | { kind: 'writes' }
  | { kind: 'faults'; lane: number }
  | { kind: 'partitions'; lane: number }
  | { kind: 'violations' }
  | { kind: 'other' }
  | { kind: 'node'; node: number; lane: NodeLane };

export interface Row {
  key: string;
  label: string;
  /** Bold group title drawn above the first row of a group (the node name, "cluster"). */
  group: string | null;
  y: number;
  h: number;
  what: RowKind;
}

export const GUTTER_PX = 132;
/** Room above the rows: the run's title (y 12) and the time axis labels (y 28, line at y 34). */
export const AXIS_PX = 40;
export const AXIS_LINE_Y = 34;
const GROUP_GAP_PX = 16;

const NODE_ROW: Record<NodeLane, { h: number; label: string }> = {
  stage: { h: 16, label: 'stage' },
  version: { h: 14, label: 'slot / version' },
  step: { h: 14, label: 'upgrade step' },
  meta: { h: 8, label: 'META fallback' },
  etcd: { h: 12, label: 'etcd role' },
  ready: { h: 6, label: 'Ready' },
};

/** Lays spans on as few lanes as possible without overlaps; returns the lane of each span. */
export function stackLanes(spans: readonly { startMs: number; endMs: number }[]): number[] {
  const ends: number[] = [];
  return spans.map((s) => {
    let lane = ends.findIndex((end) => end <= s.startMs);
    if (lane === -1) lane = ends.push(s.endMs) - 1;
    else ends[lane] = s.endMs;
    return lane;
  });
}

export interface Layout {
  rows: Row[];
  heightPx: number;
  faultLanes: number[];
  partitionLanes: number[];
}

export function layoutRun(model: Model): Layout {
  const rows: Row[] = [];
  let y = AXIS_PX;
  const add = (key: string, label: string, h: number, what: RowKind, group: string | null = null) => {
    if (group !== null) y += GROUP_GAP_PX;
    rows.push({ key, label, group, y, h, what });
    y += h + 2;
  };
  add('quorum', 'etcd quorum', 12, { kind: 'quorum' }, 'cluster');
  add('members', 'members', 12, { kind: 'members' });
  add('writes', 'writes /s', 28, { kind: 'writes' });
  const faultLanes = stackLanes(model.faults);
  const nFault = Math.max(1, ...faultLanes.map((l) => l + 1));
  for (let i = 0; i < nFault; i++)
    add(`faults${i}`, i === 0 ? 'faults' : '', 12, { kind: 'faults', lane: i });
  const partitionLanes = stackLanes(model.partitions);
  const nPart = Math.max(1, ...partitionLanes.map((l) => l + 1));
  for (let i = 0; i < nPart; i++)
    add(`partitions${i}`, i === 0 ? 'partitions' : '', 12, { kind: 'partitions', lane: i });
  add('violations', 'violations', 14, { kind: 'violations' });
  if (hasUnknownEvents(model)) add('other', 'other events', 10, { kind: 'other' });
  model.nodes.forEach((n, i) => {
    NODE_LANES.forEach((lane, j) => {
      const r = NODE_ROW[lane];
      const group = j === 0 ? `${n.name} (${n.role === 'controlplane' ? 'control plane' : 'worker'})` : null;
      add(`${n.name}.${lane}`, r.label, r.h, { kind: 'node', node: i, lane }, group);
    });
  });
  return { rows, heightPx: y + 8, faultLanes, partitionLanes };
}

/** Event types this viewer draws in their own lanes; anything else goes to the "other events" row. */
export const KNOWN_TYPES = new Set([
  'node.state',
  'node.ready',
  'boot.decision',
  'boot.failed',
  'slot.write',
  'bootloader.flip',
  'meta',
  'disk.wipe',
  'upgrade.step',
  'etcd.member',
  'etcd.leader',
  'etcd.commit',
  'etcd.write',
  'fault.start',
  'fault.end',
  'orchestrator',
  'api',
  'phase',
  'violation',
]);

export function hasUnknownEvents(model: Model): boolean {
  return Object.keys(model.counts).some((t) => !KNOWN_TYPES.has(t));
}

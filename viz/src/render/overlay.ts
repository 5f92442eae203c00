// Render step 3: the SVG layer over the canvas: row labels, the time axis, faults and partitions as
// spans, violations as red markers carrying their message, upgrade outcomes, phases, unknown event types
// and the cursor. These are few (or aggregated to the pixel), so SVG keeps them inspectable and testable.
import { select, type Selection } from 'd3';
import type { Marker, Model, Span } from '../model/build.js';
import { describeEvent } from '../trace/events.js';
import { xOf, type View } from '../transform/lod.js';
import { AXIS_LINE_Y, GUTTER_PX, KNOWN_TYPES, type Layout, type Row } from './layout.js';
import * as P from './palette.js';
import type { Scene } from './scene.js';
import { fmtTime, timeTicks } from './time.js';

type G = Selection<SVGGElement, unknown, null, undefined>;

const OUTCOME_SYMBOL: Record<string, string> = {
  proven: '✓',
  reverted: '↺',
  'boot failed': '✗',
  failed: '✗',
  refused: '⊘',
};

function rowOf(layout: Layout, pred: (r: Row) => boolean): Row | undefined {
  return layout.rows.find(pred);
}

function spanRows(
  g: G,
  spans: readonly Span[],
  lanes: readonly number[],
  layout: Layout,
  kind: 'faults' | 'partitions',
  view: View,
  fill: string,
): void {
  spans.forEach((s, i) => {
    const row = rowOf(layout, (r) => r.what.kind === kind && r.what.lane === lanes[i]);
    if (!row || s.endMs < view.startMs || s.startMs > view.endMs) return;
    const x0 = Math.max(0, xOf(view, s.startMs));
    const x1 = Math.min(view.widthPx, xOf(view, s.endMs));
    const a = g
      .append('g')
      .attr('class', `${kind === 'faults' ? 'fault' : 'partition'}-span`)
      .attr('data-t', s.startMs);
    a.append('title').text(
      `${s.label} (fault #${s.id}) ${fmtTime(s.startMs)} – ${s.ended ? fmtTime(s.endMs) : 'end of trace'}\n${s.detail}`,
    );
    if (x1 - x0 < 3) {
      // An instant fault (a wipe, a member removal): a diamond.
      const cx = GUTTER_PX + x0;
      const cy = row.y + row.h / 2;
      a.append('path')
        .attr(
          'd',
          `M${r1(cx)},${r1(cy - 5)}L${r1(cx + 5)},${r1(cy)}L${r1(cx)},${r1(cy + 5)}L${r1(cx - 5)},${r1(cy)}Z`,
        )
        .attr('fill', fill)
        .attr('stroke', '#000')
        .attr('stroke-width', 0.5);
    } else {
      a.append('rect')
        .attr('x', r1(GUTTER_PX + x0))
        .attr('y', row.y)
        .attr('width', r1(x1 - x0))
        .attr('height', row.h)
        .attr('fill', fill)
        .attr('fill-opacity', 0.85);
    }
    const text = kind === 'partitions' ? `${s.label}: ${s.detail}` : s.label;
    if (x1 - x0 > text.length * 6 + 8 || x1 - x0 >= 3) {
      a.append('text')
        .attr('x', r1(GUTTER_PX + Math.max(x0, 0) + (x1 - x0 < 3 ? 7 : 3)))
        .attr('y', row.y + row.h / 2)
        .attr('class', 'span-label')
        .text(text);
    }
  });
}

function r1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Markers aggregated to the pixel: of several in one pixel column, the first is drawn and counted. */
function perPixel<T extends { tMs: number }>(
  list: readonly T[],
  view: View,
): { m: T; x: number; n: number }[] {
  const out: { m: T; x: number; n: number }[] = [];
  for (const m of list) {
    if (m.tMs < view.startMs || m.tMs > view.endMs) continue;
    const x = Math.round(xOf(view, m.tMs));
    const last = out[out.length - 1];
    if (last && last.x === x) last.n++;
    else out.push({ m, x, n: 1 });
  }
  return out;
}

export interface OverlayOptions {
  cursorMs: number;
  /** Rows the run shows, and the y where the whole run ends. */
  layout: Layout;
  scene: Scene;
  title: string;
}

export function renderOverlay(svgEl: SVGSVGElement, model: Model, view: View, o: OverlayOptions): void {
  const { layout, scene } = o;
  const svg = select(svgEl);
  svg.selectAll('*').remove();
  svg
    .attr('width', GUTTER_PX + view.widthPx)
    .attr('height', layout.heightPx)
    .attr('viewBox', `0 0 ${GUTTER_PX + view.widthPx} ${layout.heightPx}`)
    .attr('class', 'overlay');

  // Labels in the gutter.
  const labels = svg.append('g').attr('class', 'labels');
  for (const row of layout.rows) {
    if (row.group !== null) {
      labels
        .append('text')
        .attr('class', 'group-label')
        .attr('x', 4)
        .attr('y', row.y - 4)
        .text(row.group);
    }
    labels
      .append('text')
      .attr('class', 'row-label')
      .attr('x', GUTTER_PX - 6)
      .attr('y', row.y + row.h / 2)
      .attr('text-anchor', 'end')
      .text(row.label);
  }

  // The time axis with units in its labels.
  const axis = svg.append('g').attr('class', 'axis');
  axis
    .append('line')
    .attr('x1', GUTTER_PX)
    .attr('x2', GUTTER_PX + view.widthPx)
    .attr('y1', AXIS_LINE_Y)
    .attr('y2', AXIS_LINE_Y);
  for (const t of timeTicks(view.startMs, view.endMs, view.widthPx)) {
    const x = r1(GUTTER_PX + xOf(view, t));
    axis
      .append('line')
      .attr('class', 'tick')
      .attr('x1', x)
      .attr('x2', x)
      .attr('y1', AXIS_LINE_Y - 4)
      .attr('y2', layout.heightPx);
    axis
      .append('text')
      .attr('x', x)
      .attr('y', AXIS_LINE_Y - 8)
      .attr('text-anchor', 'middle')
      .text(fmtTime(t));
  }
  axis
    .append('text')
    .attr('class', 'axis-unit')
    .attr('x', GUTTER_PX - 6)
    .attr('y', AXIS_LINE_Y - 8)
    .attr('text-anchor', 'end')
    .text('virtual time');
  axis.append('text').attr('class', 'run-title').attr('x', 4).attr('y', 13).text(o.title);

  // Scale labels of the writes row.
  const wr = rowOf(layout, (r) => r.what.kind === 'writes');
  if (wr) {
    svg
      .append('text')
      .attr('class', 'scale-label')
      .attr('x', GUTTER_PX - 6)
      .attr('y', wr.y + wr.h - 2)
      .attr('text-anchor', 'end')
      .text(`peak ${scene.writesPeakPerS.toFixed(1)}/s`)
      .append('title')
      .text(
        `bars: acknowledged (blue) and failed (vermillion) writes per second, ${fmtTime(scene.writesBucketMs)} buckets; line: commit index, 0 to ${scene.commitIndexMax}`,
      );
  }

  // Phases: a dashed line over the whole run.
  const phases = svg.append('g').attr('class', 'phases');
  for (const { m } of perPixel(model.phases, view)) {
    const x = r1(GUTTER_PX + xOf(view, m.tMs));
    const g = phases.append('g').attr('class', 'phase-marker').attr('data-t', m.tMs);
    g.append('line').attr('x1', x).attr('x2', x).attr('y1', AXIS_LINE_Y).attr('y2', layout.heightPx);
    g.append('text')
      .attr('x', x + 3)
      .attr('y', AXIS_LINE_Y + 9)
      .text(`${m.label} phase`);
  }

  spanRows(
    svg.append('g').attr('class', 'faults'),
    model.faults,
    layout.faultLanes,
    layout,
    'faults',
    view,
    P.FAULT,
  );
  spanRows(
    svg.append('g').attr('class', 'partitions'),
    model.partitions,
    layout.partitionLanes,
    layout,
    'partitions',
    view,
    P.PARTITION,
  );

  // Upgrade outcomes on the step row of their node.
  const outcomes = svg.append('g').attr('class', 'outcomes');
  model.nodes.forEach((n, i) => {
    const row = rowOf(layout, (r) => r.what.kind === 'node' && r.what.node === i && r.what.lane === 'step');
    if (!row) return;
    for (const { m, n: count } of perPixel(n.markers, view)) {
      const g = outcomes.append('g').attr('class', 'outcome-marker').attr('data-t', m.tMs);
      g.append('title').text(
        `${n.name} ${m.label} at ${fmtTime(m.tMs)}${m.detail ? `: ${m.detail}` : ''}${count > 1 ? ` (+${count - 1} more here)` : ''}`,
      );
      g.append('text')
        .attr('x', r1(GUTTER_PX + xOf(view, m.tMs)))
        .attr('y', row.y + row.h / 2)
        .attr('text-anchor', 'middle')
        .attr('fill', m.label === 'proven' ? '#000' : P.VIOLATION)
        .text(OUTCOME_SYMBOL[m.label] ?? '•');
    }
  });

  // Unknown event types: grey ticks, described in their tooltip.
  const other = rowOf(layout, (r) => r.what.kind === 'other');
  if (other) {
    const unknown = model.events.filter((e) => !KNOWN_TYPES.has(e.type)).map((e) => ({ tMs: e.t, e }));
    const g = svg.append('g').attr('class', 'other-events');
    for (const { m, x, n } of perPixel(unknown, view)) {
      const t = g.append('g').attr('class', 'other-marker');
      t.append('title').text(`${fmtTime(m.tMs)} ${describeEvent(m.e)}${n > 1 ? ` (+${n - 1} more)` : ''}`);
      t.append('rect')
        .attr('x', GUTTER_PX + x - 1)
        .attr('y', other.y)
        .attr('width', 2)
        .attr('height', other.h)
        .attr('fill', P.OTHER);
    }
  }

  // Violations: a red line through the run and a triangle carrying the message.
  const vr = rowOf(layout, (r) => r.what.kind === 'violations');
  const violations = svg.append('g').attr('class', 'violations');
  if (vr) {
    for (const { m, x, n } of perPixel(model.violations, view)) {
      const cx = GUTTER_PX + x;
      const g = violations
        .append('g')
        .attr('class', 'violation-marker')
        .attr('data-t', m.tMs)
        .attr('data-invariant', m.label);
      g.append('title').text(violationText(m, n));
      g.append('line').attr('x1', cx).attr('x2', cx).attr('y1', vr.y).attr('y2', layout.heightPx);
      g.append('path').attr('d', `M${cx - 6},${vr.y}L${cx + 6},${vr.y}L${cx},${vr.y + vr.h}Z`);
      g.append('text')
        .attr('x', cx + 8)
        .attr('y', vr.y + vr.h / 2)
        .text(`${m.label}: ${m.detail}`);
    }
  }

  // The cursor.
  if (o.cursorMs >= view.startMs && o.cursorMs <= view.endMs) {
    const x = r1(GUTTER_PX + xOf(view, o.cursorMs));
    const c = svg.append('g').attr('class', 'cursor');
    c.append('line')
      .attr('x1', x)
      .attr('x2', x)
      .attr('y1', AXIS_LINE_Y - 4)
      .attr('y2', layout.heightPx);
    c.append('text')
      .attr('x', x + 3)
      .attr('y', AXIS_LINE_Y - 8)
      .text(fmtTime(o.cursorMs));
  }
}

function violationText(m: Marker, n: number): string {
  return `violation of ${m.label} at ${fmtTime(m.tMs)}${m.node ? ` (nodes ${m.node})` : ''}: ${m.detail}${n > 1 ? ` (+${n - 1} more here)` : ''}`;
}

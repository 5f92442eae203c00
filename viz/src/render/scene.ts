// Render step 1 (pure): from the model, the visible time range and the layout, the rectangles, texts and
// lines the canvas draws. Kept apart from drawing so tests can check what would be drawn without a canvas.
import type { Model } from '../model/build.js';
import type { Interval } from '../model/intervals.js';
import { aggregate, writeBuckets, type View } from '../transform/lod.js';
import type { Layout, Row } from './layout.js';
import * as P from './palette.js';

export interface Rect {
  row: string;
  x: number;
  y: number;
  w: number;
  h: number;
  fill: string;
  /** Several values share these pixels (drawn hatched). */
  mixed: boolean;
  text: string | null;
  textFill: string;
  source: Interval | null;
}

export interface Polyline {
  row: string;
  stroke: string;
  points: [number, number][];
}

export interface Scene {
  rects: Rect[];
  lines: Polyline[];
  /** Peak write rate of the visible buckets, for the writes row's scale label. */
  writesPeakPerS: number;
  /** Virtual time per write-rate bucket. */
  writesBucketMs: number;
  commitIndexMax: number;
}

/**
 * Write-rate buckets span at least this much virtual time: writes arrive at a steady rate, and narrower
 * buckets would alias into a comb of 4-or-5-writes bars.
 */
const WRITE_BUCKET_MIN_MS = 5_000;

/** Average advance of the 11 px sans-serif font, to decide whether a label fits. */
const CHAR_PX = 6.2;

function fits(text: string, w: number): boolean {
  return text.length * CHAR_PX + 6 <= w;
}

function colourFor(row: Row, value: string, versions: string[]): string {
  const w = row.what;
  if (w.kind === 'quorum') return P.QUORUM_COLOURS[value] ?? P.OTHER;
  if (w.kind === 'members') return P.MEMBERS;
  if (w.kind !== 'node') return P.OTHER;
  switch (w.lane) {
    case 'stage':
      return P.STAGE_COLOURS[value] ?? P.OTHER;
    case 'version':
      return P.versionColour(versions, value);
    case 'step':
      return P.STEP_COLOURS[value] ?? P.OTHER;
    case 'meta':
      return P.META_PENDING;
    case 'etcd':
      return P.ETCD_COLOURS[value] ?? P.OTHER;
    case 'ready':
      return P.READY;
  }
}

function intervalsOf(model: Model, row: Row): Interval[] | null {
  const w = row.what;
  if (w.kind === 'quorum') return model.quorum;
  if (w.kind === 'members') return model.members;
  if (w.kind === 'node') return model.nodes[w.node]!.lanes[w.lane];
  return null;
}

/**
 * `versions` keeps version colours stable across redraws and across compared runs (pass the same array).
 */
export function buildScene(model: Model, layout: Layout, view: View, versions: string[]): Scene {
  const rects: Rect[] = [];
  const lines: Polyline[] = [];
  let writesPeakPerS = 0;
  let commitIndexMax = 0;
  const msPerPx = (view.endMs - view.startMs) / Math.max(1, view.widthPx);
  const bucketPx = Math.max(2, Math.ceil(WRITE_BUCKET_MIN_MS / msPerPx));
  for (const row of layout.rows) {
    const list = intervalsOf(model, row);
    if (list) {
      const showText = row.what.kind !== 'node' || row.what.lane !== 'ready';
      for (const run of aggregate(list, view)) {
        const fill = colourFor(row, run.value, versions);
        const w = run.x1 - run.x0;
        const text = showText && !run.mixed && row.h >= 10 && fits(run.value, w) ? run.value : null;
        rects.push({
          row: row.key,
          x: run.x0,
          y: row.y,
          w,
          h: row.h,
          fill,
          mixed: run.mixed,
          text,
          textFill: P.textOn(fill),
          source: run.source,
        });
      }
    }
    if (row.what.kind === 'node' && row.what.lane === 'etcd') {
      // The leader: a black stripe along the top of the etcd row.
      for (const run of aggregate(model.nodes[row.what.node]!.leader, view)) {
        rects.push({
          row: `${row.key}.leader`,
          x: run.x0,
          y: row.y,
          w: run.x1 - run.x0,
          h: 3,
          fill: P.LEADER,
          mixed: false,
          text: null,
          textFill: P.LEADER,
          source: run.source,
        });
      }
    }
    if (row.what.kind === 'writes') {
      const buckets = writeBuckets(model.writes, view, bucketPx);
      for (const b of buckets) writesPeakPerS = Math.max(writesPeakPerS, b.okPerS + b.failedPerS);
      commitIndexMax = model.writes.n > 0 ? model.writes.indexMax[model.writes.n - 1]! : 0;
      const scale = writesPeakPerS > 0 ? (row.h - 1) / writesPeakPerS : 0;
      for (const b of buckets) {
        const hOk = b.okPerS * scale;
        const hFailed = b.failedPerS * scale;
        const base = row.y + row.h;
        if (hOk > 0) rects.push(bar(row.key, b.x0, base - hOk, b.x1 - b.x0, hOk, P.WRITE_OK));
        if (hFailed > 0)
          rects.push(
            bar(`${row.key}.failed`, b.x0, base - hOk - hFailed, b.x1 - b.x0, hFailed, P.WRITE_FAILED),
          );
      }
      if (commitIndexMax > 0) {
        const points: [number, number][] = buckets.map((b) => [
          b.x1,
          row.y + row.h - (b.index / commitIndexMax) * (row.h - 1),
        ]);
        lines.push({ row: `${row.key}.commit`, stroke: P.LEADER, points });
      }
    }
  }
  return { rects, lines, writesPeakPerS, writesBucketMs: bucketPx * msPerPx, commitIndexMax };
}

function bar(row: string, x: number, y: number, w: number, h: number, fill: string): Rect {
  return { row, x, y, w, h, fill, mixed: false, text: null, textFill: fill, source: null };
}

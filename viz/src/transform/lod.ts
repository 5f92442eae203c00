// Level of detail: turns a lane's intervals and the write columns into what one pixel column can show.
// Intervals wider than a pixel are drawn as they are; runs of intervals that fall within one pixel are
// aggregated into that pixel, coloured by the value that covers most of it and marked `mixed`, so a
// zoomed-out crash loop of 1,000 state changes costs one rectangle per pixel, not 1,000.
import { firstEndingAfter, type Interval } from '../model/intervals.js';
import { rowsUpTo, type WriteColumns } from '../model/writes.js';

export interface Run {
  x0: number;
  x1: number;
  value: string;
  /** True when the run stands for several values squeezed into its pixels. */
  mixed: boolean;
  /** The interval shown (first one when mixed), for tooltips and hit tests. */
  source: Interval;
}

export interface View {
  startMs: number;
  endMs: number;
  widthPx: number;
}

/** Pixel x of a time (not rounded). */
export function xOf(v: View, tMs: number): number {
  return ((tMs - v.startMs) / (v.endMs - v.startMs)) * v.widthPx;
}

/**
 * Runs to draw for `list` in view `v`: clipped to [0, widthPx], at most one run per pixel column where
 * intervals are narrower than a pixel, adjacent runs of one value merged.
 */
export function aggregate(list: readonly Interval[], v: View): Run[] {
  const out: Run[] = [];
  if (v.endMs <= v.startMs || v.widthPx <= 0) return out;
  const push = (r: Run) => {
    const last = out[out.length - 1];
    if (last && last.value === r.value && last.mixed === r.mixed && r.x0 - last.x1 < 0.5) last.x1 = r.x1;
    else out.push(r);
  };
  // Runs are pixel-exact except where an interval is wider than a pixel: its ends stay where they are.
  // The pixel column being aggregated: value -> covered fraction of the pixel.
  let col = -1;
  let cover = new Map<string, number>();
  let colSource: Interval | null = null;
  const add = (value: string, px: number, source: Interval) => {
    cover.set(value, (cover.get(value) ?? 0) + px);
    colSource ??= source;
  };
  const flushColumn = () => {
    if (col < 0 || colSource === null) {
      col = -1;
      return;
    }
    let best = '';
    let bestPx = -1;
    for (const [value, px] of cover) {
      if (px > bestPx) {
        best = value;
        bestPx = px;
      }
    }
    push({
      x0: col,
      x1: Math.min(col + 1, v.widthPx),
      value: best,
      mixed: cover.size > 1,
      source: colSource,
    });
    col = -1;
    cover = new Map();
    colSource = null;
  };
  for (let i = firstEndingAfter(list, v.startMs); i < list.length; i++) {
    const iv = list[i]!;
    if (iv.startMs >= v.endMs) break;
    const x0 = Math.max(0, xOf(v, iv.startMs));
    const x1 = Math.min(v.widthPx, xOf(v, iv.endMs));
    if (x1 <= x0) continue;
    const c0 = Math.floor(x0);
    if (col !== -1 && c0 > col) flushColumn();
    if (x1 - x0 >= 1) {
      // A wide interval: its share of an open column, then whole pixels, then its share of the last one.
      let from = x0;
      if (col === c0) {
        add(iv.value, c0 + 1 - x0, iv);
        flushColumn();
        from = c0 + 1;
      }
      const to = Math.floor(x1);
      if (to > from) push({ x0: from, x1: to, value: iv.value, mixed: false, source: iv });
      if (x1 > to && x1 > from) {
        col = to;
        add(iv.value, x1 - Math.max(to, from), iv);
      }
      continue;
    }
    // A narrow interval: it adds to its column (and, when it straddles a pixel edge, to the next one).
    if (col === -1) col = c0;
    const edge = col + 1;
    if (x1 > edge) {
      add(iv.value, edge - x0, iv);
      flushColumn();
      col = edge;
      add(iv.value, x1 - edge, iv);
    } else add(iv.value, x1 - x0, iv);
  }
  flushColumn();
  return out;
}

export interface WriteBucket {
  x0: number;
  x1: number;
  ok: number;
  failed: number;
  /** Writes per second of virtual time over the bucket. */
  okPerS: number;
  failedPerS: number;
  /** Highest commit index at the bucket's end. */
  index: number;
}

/**
 * Write counts per bucket of `bucketPx` pixels: two binary searches per bucket over the prefix sums, so
 * the cost depends on the width of the view, not on the number of writes.
 */
export function writeBuckets(w: WriteColumns, v: View, bucketPx = 2): WriteBucket[] {
  const out: WriteBucket[] = [];
  if (v.endMs <= v.startMs || v.widthPx <= 0) return out;
  const msPerPx = (v.endMs - v.startMs) / v.widthPx;
  let prev = rowsUpTo(w, v.startMs - 1e-9);
  for (let x = 0; x < v.widthPx; x += bucketPx) {
    const x1 = Math.min(v.widthPx, x + bucketPx);
    const t1 = v.startMs + x1 * msPerPx;
    const upTo = rowsUpTo(w, t1 - 1e-9);
    const before = prev - 1;
    const last = upTo - 1;
    const okBefore = before >= 0 ? w.okCum[before]! : 0;
    const failedBefore = before >= 0 ? w.failedCum[before]! : 0;
    const ok = (last >= 0 ? w.okCum[last]! : 0) - okBefore;
    const failed = (last >= 0 ? w.failedCum[last]! : 0) - failedBefore;
    const seconds = ((x1 - x) * msPerPx) / 1000;
    out.push({
      x0: x,
      x1,
      ok,
      failed,
      okPerS: ok / seconds,
      failedPerS: failed / seconds,
      index: last >= 0 ? w.indexMax[last]! : 0,
    });
    prev = upTo;
  }
  return out;
}

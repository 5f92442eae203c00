// etcd writes as columns (a 1,000,000-event trace is mostly etcd.write lines: objects would not fit in a
// page comfortably). One row per etcd.write line or batched etcd.commit line, with prefix sums so the
// count of acknowledged / failed writes in any time range is two binary searches.

export interface WriteColumns {
  n: number;
  tMs: Float64Array;
  /** Cumulative acknowledged writes up to and including row i. */
  okCum: Float64Array;
  /** Cumulative failed writes up to and including row i. */
  failedCum: Float64Array;
  /** Highest commit index seen up to and including row i (0 before any). */
  indexMax: Float64Array;
}

export interface WriteBuilder {
  n: number;
  tMs: Float64Array;
  okCum: Float64Array;
  failedCum: Float64Array;
  indexMax: Float64Array;
}

const INITIAL_ROWS = 1024;

export function newWriteBuilder(): WriteBuilder {
  return {
    n: 0,
    tMs: new Float64Array(INITIAL_ROWS),
    okCum: new Float64Array(INITIAL_ROWS),
    failedCum: new Float64Array(INITIAL_ROWS),
    indexMax: new Float64Array(INITIAL_ROWS),
  };
}

function grow(a: Float64Array, size: number): Float64Array {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}

/** Appends a row: `ok` acknowledged and `failed` failed writes at `tMs`, commit `index` (-1: none). */
export function pushWrite(w: WriteBuilder, tMs: number, ok: number, failed: number, index: number): void {
  if (w.n === w.tMs.length) {
    const size = w.n * 2;
    w.tMs = grow(w.tMs, size);
    w.okCum = grow(w.okCum, size);
    w.failedCum = grow(w.failedCum, size);
    w.indexMax = grow(w.indexMax, size);
  }
  const i = w.n++;
  const prev = i - 1;
  w.tMs[i] = tMs;
  w.okCum[i] = (prev >= 0 ? w.okCum[prev]! : 0) + ok;
  w.failedCum[i] = (prev >= 0 ? w.failedCum[prev]! : 0) + failed;
  w.indexMax[i] = Math.max(prev >= 0 ? w.indexMax[prev]! : 0, index);
}

export function finishWrites(w: WriteBuilder): WriteColumns {
  return {
    n: w.n,
    tMs: w.tMs.slice(0, w.n),
    okCum: w.okCum.slice(0, w.n),
    failedCum: w.failedCum.slice(0, w.n),
    indexMax: w.indexMax.slice(0, w.n),
  };
}

/** Number of rows with tMs <= t. */
export function rowsUpTo(w: WriteColumns, tMs: number): number {
  let lo = 0;
  let hi = w.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (w.tMs[mid]! <= tMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Acknowledged, failed writes and the highest commit index up to and including `tMs`. */
export function writesUpTo(w: WriteColumns, tMs: number): { ok: number; failed: number; index: number } {
  const i = rowsUpTo(w, tMs) - 1;
  if (i < 0) return { ok: 0, failed: 0, index: 0 };
  return { ok: w.okCum[i]!, failed: w.failedCum[i]!, index: w.indexMax[i]! };
}

/** The typed arrays, for postMessage transfer lists. */
export function transferables(w: WriteColumns): ArrayBuffer[] {
  return [w.tMs.buffer, w.okCum.buffer, w.failedCum.buffer, w.indexMax.buffer] as ArrayBuffer[];
}

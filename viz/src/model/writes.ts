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
/**
 * The shortest line that can make a row: an etcd.write line is at least 69 bytes
 * ({"kind":"event","t":0,"seq":0,"type":"etcd.write","id":0,"ok":false} is 68 bytes plus its newline).
 */
const MIN_ROW_BYTES = 69;
/** Above this many rows a size hint is not trusted blindly (16,000,000 rows are 512 MiB of columns). */
const MAX_HINT_ROWS = 16_000_000;

/**
 * `sizeHintBytes` (the file's size, when known) sizes the columns once: growing four columns by doubling
 * while a 1,000,000-write trace streams in cost more than parsing it (measured in Chromium and Node).
 */
export function newWriteBuilder(sizeHintBytes = 0): WriteBuilder {
  const hinted = Math.ceil(Math.max(0, sizeHintBytes) / MIN_ROW_BYTES);
  const rows = Math.max(INITIAL_ROWS, Math.min(hinted, MAX_HINT_ROWS));
  return {
    n: 0,
    tMs: new Float64Array(rows),
    okCum: new Float64Array(rows),
    failedCum: new Float64Array(rows),
    indexMax: new Float64Array(rows),
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
  // Copying 1,000,000 rows costs as much as parsing them; keep the columns as views unless most of the
  // space would be wasted (the columns are transferred whole, buffer and all).
  const fit = (a: Float64Array) => (w.n * 2 >= a.length ? a.subarray(0, w.n) : a.slice(0, w.n));
  return {
    n: w.n,
    tMs: fit(w.tMs),
    okCum: fit(w.okCum),
    failedCum: fit(w.failedCum),
    indexMax: fit(w.indexMax),
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

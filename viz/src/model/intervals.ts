// Intervals of a lane value over virtual time: [startMs, endMs) with one value, sorted and non-overlapping.

export interface Interval {
  startMs: number;
  endMs: number;
  value: string;
  /** Optional second line of text (for tooltips), e.g. the step's detail. */
  detail?: string;
}

/** Builds a lane from successive values; a value equal to the current one extends it. */
export class IntervalBuilder {
  readonly out: Interval[] = [];
  private current: Interval | null = null;

  set(tMs: number, value: string | null, detail?: string): void {
    if (this.current && this.current.value === value) return;
    this.close(tMs);
    if (value !== null) {
      this.current = { startMs: tMs, endMs: tMs, value, ...(detail === undefined ? {} : { detail }) };
    }
  }

  /** Ends the open interval at `tMs`; an interval that never lasted (same instant) is dropped. */
  close(tMs: number): void {
    const c = this.current;
    if (!c) return;
    c.endMs = tMs;
    // A zero-length value is replaced at the same instant by the next one, so nothing visible is lost.
    if (c.endMs > c.startMs) this.out.push(c);
    this.current = null;
  }
}

/** Index of the first interval whose end is after `tMs` (binary search). */
export function firstEndingAfter(list: readonly Interval[], tMs: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.endMs <= tMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The value of a lane at `tMs`, or null. */
export function valueAt(list: readonly Interval[], tMs: number): Interval | null {
  const i = firstEndingAfter(list, tMs);
  const iv = list[i];
  return iv && iv.startMs <= tMs ? iv : null;
}

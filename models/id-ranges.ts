// A set of integer ids kept as sorted, disjoint ranges. The etcd model's acknowledged writes come in runs
// of consecutive ids (one batch of workload writes, issue 8), so a run of 36,000 writes is one range
// instead of 36,000 set entries, while every id stays individually answerable (`has`).

export class IdRanges {
  /** Range i holds ids starts[i] .. ends[i]-1; ranges are sorted, disjoint and never adjacent. */
  private starts: number[] = [];
  private ends: number[] = [];
  private count = 0;

  /** How many distinct ids the set holds. */
  get size(): number {
    return this.count;
  }

  /** Adds ids from .. from+count-1 (ids already present are not counted twice). */
  add(from: number, count: number): void {
    if (count <= 0) return;
    const end = from + count;
    const n = this.starts.length;
    const lastEnd = n === 0 ? -Infinity : this.ends[n - 1]!;
    // The common case: ids grow, so the new range extends or follows the last one.
    if (from >= lastEnd) {
      if (from === lastEnd) this.ends[n - 1] = end;
      else {
        this.starts.push(from);
        this.ends.push(end);
      }
      this.count += count;
      return;
    }
    // General case (rare): insert, then merge overlapping or adjacent ranges.
    const ranges = this.starts.map((s, i) => [s, this.ends[i]!] as [number, number]);
    ranges.push([from, end]);
    ranges.sort((a, b) => a[0] - b[0]);
    this.starts = [];
    this.ends = [];
    this.count = 0;
    for (const [s, e] of ranges) {
      const k = this.starts.length - 1;
      if (k >= 0 && s <= this.ends[k]!) {
        if (e > this.ends[k]!) {
          this.count += e - this.ends[k]!;
          this.ends[k] = e;
        }
      } else {
        this.starts.push(s);
        this.ends.push(e);
        this.count += e - s;
      }
    }
  }

  has(id: number): boolean {
    // The last range with start <= id.
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && id < this.ends[lo - 1]!;
  }
}

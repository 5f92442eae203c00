// Which seeds a sweep runs: a range spec (`1..10000`, or `500` for 1..500) and an optional shard `I/N`.
// A shard takes every N-th seed starting at position I (a stride, not a block), so shards of a sweep whose
// cost drifts with the seed number still get equal work; the N shards together are exactly the range, each
// seed once, which is what lets `merge` rebuild the unsharded result (sim/sweep/tally.ts).

/** A bound on one sweep (STYLE.md habit 6): ten million seeds is days of CPU; more is a typo. */
export const MAX_SWEEP_SEEDS = 10_000_000;

export interface SeedRange {
  first: number;
  last: number;
}

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/** Operating errors of the command line (bad range, bad shard): exit 2, nothing runs. */
export class SeedSpecError extends Error {}

export function parseSeedRange(spec: string): SeedRange {
  const m = /^\s*(-?\d+)\s*(?:\.\.\s*(-?\d+)\s*)?$/.exec(spec);
  if (!m) throw new SeedSpecError(`--seeds '${spec}': expected FIRST..LAST (e.g. 1..10000) or a count`);
  const range =
    m[2] === undefined ? { first: 1, last: Number(m[1]) } : { first: Number(m[1]), last: Number(m[2]) };
  if (!Number.isSafeInteger(range.first) || !Number.isSafeInteger(range.last) || range.last < range.first) {
    throw new SeedSpecError(`--seeds '${spec}': need integers with FIRST <= LAST`);
  }
  if (range.last - range.first + 1 > MAX_SWEEP_SEEDS) {
    throw new SeedSpecError(`--seeds '${spec}': more than ${MAX_SWEEP_SEEDS} seeds in one sweep; shard it`);
  }
  return range;
}

export function formatSeedRange(r: SeedRange): string {
  return `${r.first}..${r.last}`;
}

/** `I/N` with 0 <= I < N. */
export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 0 && index < count) || count > MAX_SWEEP_SEEDS) {
    throw new SeedSpecError(`--shard '${spec}': expected I/N with 0 <= I < N (e.g. 0/4)`);
  }
  return { index, count };
}

/** The seeds of `range` that belong to `shard` (all of them without one), in increasing order. */
export function shardSeeds(range: SeedRange, shard: Shard | null): number[] {
  const step = shard ? shard.count : 1;
  const out: number[] = [];
  for (let s = range.first + (shard ? shard.index : 0); s <= range.last; s += step) out.push(s);
  return out;
}

// One seed, named streams (STYLE.md habit 2). The root seed and a stream name derive that stream's own
// seedrandom generator, so adding a stream never changes what another stream draws. All draws are
// integers or whole-number ratios built from 32-bit integer outputs: no float arithmetic whose rounding
// could differ across platforms decides anything.
import seedrandom from 'seedrandom';

export type Seed = string | number;

export class Stream {
  private readonly prng: seedrandom.PRNG;
  /** Number of 32-bit words drawn so far (reported in traces to help debug divergences). */
  draws = 0;

  constructor(
    readonly name: string,
    seed: Seed,
  ) {
    this.prng = seedrandom(`upgradelab/${String(seed)}/${name}`);
  }

  /** A uniform unsigned 32-bit integer. */
  u32(): number {
    this.draws++;
    return this.prng.int32() >>> 0;
  }

  /** A uniform integer in [lo, hi] (inclusive), by rejection sampling so it is exactly uniform. */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new Error(`Stream.int(${lo}, ${hi}): bounds must be integers with lo <= hi`);
    }
    const span = hi - lo + 1;
    if (span > 0x1_0000_0000) throw new Error(`Stream.int: span ${span} exceeds 2^32`);
    if (span === 1) return lo;
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % span);
    for (;;) {
      const x = this.u32();
      if (x < limit) return lo + (x % span);
    }
  }

  /** True with probability num/den (whole numbers), exactly. */
  chance(num: number, den: number): boolean {
    if (num <= 0) return false;
    if (num >= den) return true;
    return this.int(0, den - 1) < num;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error(`Stream.pick on stream '${this.name}': empty array`);
    return items[this.int(0, items.length - 1)]!;
  }

  /**
   * An exponentially distributed delay with the given mean, in whole ms, using an integer-derived uniform
   * and Math.log. Math.log is correctly rounded on every platform Node runs on for these inputs in
   * practice; the result is rounded to an integer ms so any last-bit difference almost never matters.
   */
  exponentialMs(meanMs: number): number {
    const u = (this.u32() + 1) / 0x1_0000_0001; // in (0, 1)
    return Math.max(1, Math.round(-Math.log(u) * meanMs));
  }
}

export class Rng {
  private readonly streams = new Map<string, Stream>();

  constructor(readonly seed: Seed) {}

  /** The named stream; created on first use, independent of every other stream. */
  stream(name: string): Stream {
    let s = this.streams.get(name);
    if (!s) {
      s = new Stream(name, this.seed);
      this.streams.set(name, s);
    }
    return s;
  }
}

// A tiny pure PRNG (mulberry32) whose whole state is one 32-bit integer, so it can live inside an XState
// context and be advanced by `assign` without the model touching any ambient randomness. The engine seeds
// it per node from the run's `timing` stream (DESIGN.md: one stream per node where useful).

/** Advance the state; returns [value in [0, 2^32), next state]. */
export function prngNext(state: number): [number, number] {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [(t ^ (t >>> 14)) >>> 0, next];
}

/** A draw in [lo, hi] (inclusive, integers). Modulo reduction: the bias is below 2^-20 for spans under 4096 s. */
export function prngRange(state: number, lo: number, hi: number): [number, number] {
  if (hi <= lo) return [lo, state];
  const [v, next] = prngNext(state);
  return [lo + (v % (hi - lo + 1)), next];
}

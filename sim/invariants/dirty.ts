// Helpers for invariants that update per node (InvariantEnv.dirty).
import type { SimNode, World } from '../cluster/world.js';

/**
 * The nodes a check must look at: the dirty ones, or all of them; in the world's node order either way, so
 * an invariant that records nodes as it meets them does so in the order a full scan would.
 */
export function nodesToCheck(env: { world: World; dirty: ReadonlySet<string> | null }): Iterable<SimNode> {
  if (env.dirty === null) return env.world.nodes;
  const w = env.world;
  return inWorldOrder(w, env.dirty).map((n) => w.node(n));
}

/** `names` in the world's node order (violations list nodes in that order). */
export function inWorldOrder(world: World, names: Iterable<string>): string[] {
  return [...names].sort((a, b) => world.indexOf(a) - world.indexOf(b));
}

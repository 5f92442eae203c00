// Helpers for invariants that update per node (InvariantEnv.dirty).
import type { SimNode, World } from '../cluster/world.js';

/**
 * The nodes a check must look at: the dirty ones, or all of them; in the world's node order either way, so
 * an invariant that records nodes as it meets them does so in the order a full scan would.
 */
export function nodesToCheck(env: {
  world: World;
  dirty: ReadonlySet<string> | null;
  dirtyInOrder?: readonly SimNode[];
}): Iterable<SimNode> {
  if (env.dirty === null) return env.world.nodes;
  if (env.dirtyInOrder !== undefined) return env.dirtyInOrder;
  return dirtyNodesInOrder(env.world, env.dirty);
}

const NO_NODES: readonly SimNode[] = [];

/** The nodes named in `dirty`, in the world's node order (most events mark none, or one). */
export function dirtyNodesInOrder(w: World, dirty: ReadonlySet<string>): readonly SimNode[] {
  if (dirty.size === 0) return NO_NODES;
  if (dirty.size === 1) for (const n of dirty) return [w.node(n)];
  return inWorldOrder(w, dirty).map((n) => w.node(n));
}

/** `names` in the world's node order (violations list nodes in that order). */
export function inWorldOrder(world: World, names: Iterable<string>): string[] {
  return [...names].sort((a, b) => world.indexOf(a) - world.indexOf(b));
}

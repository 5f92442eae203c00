// Random faults: independent Poisson arrivals per node and fault kind at the scenario's rates (per
// node-hour), all drawn from the `faults` stream, admitted only while fewer than `maxConcurrent` random
// faults are active and only before the liveness phase. Which kinds can arrive at random, and what one
// arrival does, is each kind's own business (its `random` part in sim/faults/<kind>.ts).
import type { Stream } from '../engine/rng.js';
import type { RandomFaults } from '../scenario/types.js';
import { RANDOM_FAULT_KINDS } from './index.js';
import type { FaultContext } from './registry.js';

const HOUR_MS = 3_600_000;

export function scheduleRandomFaults(
  ctx: FaultContext,
  spec: RandomFaults,
  stream: Stream,
  untilMs: number,
  targetVersion: string | null,
): void {
  const nodes = ctx.world.nodes.map((n) => n.name);
  for (const arrival of spec.arrivals) {
    const random = RANDOM_FAULT_KINDS.find((k) => k.random?.key === arrival.key)?.random;
    // A bug: the loader only produces arrivals for registered keys.
    if (!random) throw new Error(`no random fault kind registered under '${arrival.key}'`);
    if (arrival.ratePerNodeHour <= 0) continue;
    const meanMs = HOUR_MS / arrival.ratePerNodeHour;
    for (const node of nodes) {
      const next = (from: number) => {
        const at = from + stream.exponentialMs(meanMs);
        if (at >= untilMs) return;
        ctx.scheduler.at(at, () => {
          if (ctx.registry.countRandom() < spec.maxConcurrent)
            random.fire(ctx, node, arrival.params, stream, targetVersion);
          next(at);
        });
      };
      next(Math.max(spec.fromMs, ctx.scheduler.now));
    }
  }
}

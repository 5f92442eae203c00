// Random faults: independent Poisson arrivals per node and fault type at the scenario's rates (per
// node-hour), all drawn from the `faults` stream, admitted only while fewer than `maxConcurrent` random
// faults are active and only before the liveness phase.
import type { Stream } from '../engine/rng.js';
import type { RandomFaults } from '../scenario/types.js';
import { failedBoot } from './failed-boot.js';
import { partition } from './partition.js';
import { powerLoss } from './power-loss.js';
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
  const arm = (kind: string, rate: number, fire: (node: string) => void) => {
    if (rate <= 0) return;
    const meanMs = HOUR_MS / rate;
    for (const node of nodes) {
      const next = (from: number) => {
        const at = from + stream.exponentialMs(meanMs);
        if (at >= untilMs) return;
        ctx.scheduler.at(at, () => {
          if (ctx.registry.countRandom() < spec.maxConcurrent) fire(node);
          next(at);
        });
      };
      void kind;
      next(Math.max(spec.fromMs, ctx.scheduler.now));
    }
  };
  const pl = spec.powerLoss;
  if (pl)
    arm('powerLoss', pl.ratePerNodeHour, (node) =>
      powerLoss(ctx, node, stream.int(pl.duration.minMs, pl.duration.maxMs), true),
    );
  const iso = spec.isolate;
  if (iso)
    arm('isolate', iso.ratePerNodeHour, (node) =>
      partition(ctx, [[node]], false, stream.int(iso.duration.minMs, iso.duration.maxMs), true),
    );
  const fb = spec.failedBoot;
  if (fb && targetVersion)
    arm('failedBoot', fb.ratePerNodeHour, (node) => failedBoot(ctx, node, targetVersion, fb.stage, 1, true));
}

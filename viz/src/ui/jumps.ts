// Jump targets: times of violations, faults (start and end), phases and upgrade steps, across runs.
import type { Model } from '../model/build.js';

export type JumpKind = 'violation' | 'fault' | 'phase' | 'step';

export function jumpTimes(models: readonly Model[], kind: JumpKind): number[] {
  const ts: number[] = [];
  for (const m of models) {
    switch (kind) {
      case 'violation':
        for (const v of m.violations) ts.push(v.tMs);
        break;
      case 'fault':
        for (const s of [...m.faults, ...m.partitions]) {
          ts.push(s.startMs);
          if (s.ended) ts.push(s.endMs);
        }
        break;
      case 'phase':
        for (const p of m.phases) ts.push(p.tMs);
        break;
      case 'step':
        for (const e of m.events) if (e.type === 'upgrade.step' || e.type === 'bootloader.flip') ts.push(e.t);
        for (const n of m.nodes) for (const o of n.markers) ts.push(o.tMs);
        break;
    }
  }
  return [...new Set(ts)].sort((a, b) => a - b);
}

/** The first target strictly after (dir 1) or before (dir -1) `fromMs`, or null. */
export function nextJump(times: readonly number[], fromMs: number, dir: 1 | -1): number | null {
  if (dir === 1) return times.find((t) => t > fromMs) ?? null;
  for (let i = times.length - 1; i >= 0; i--) if (times[i]! < fromMs) return times[i]!;
  return null;
}

// The step language of the differential suite: one small situation is a list of steps, driven once on
// real etcd 3.4 and once on the model (models/etcd-cluster.ts). Each step yields an outcome string: 'ok',
// an etcd error code (models/etcd-errors.ts; its definite flag follows from the code), or for the
// observation steps a bucket ('fast' | 'election' | 'none', 'lost' | 'kept').
//
// Members are named n1..n5. A reference '@L' means "the leader when `bind` ran" and '@F1', '@F2', ...
// the other initial members in name order, so both sides run the same roles although real etcd picks
// its leader at random and the model picks the lowest id.

export type Ref = string;

export type Step =
  | { op: 'bind' }
  | { op: 'put'; via: Ref }
  | { op: 'get'; via: Ref; serializable?: boolean }
  | { op: 'addLearner'; name: Ref; via: Ref }
  | { op: 'promote'; name: Ref; via: Ref }
  | { op: 'remove'; name: Ref; via: Ref }
  | { op: 'stop'; name: Ref }
  | { op: 'kill'; name: Ref }
  | { op: 'start'; name: Ref }
  | { op: 'wipe'; name: Ref }
  | { op: 'isolate'; name: Ref; dir: 'both' | 'outgoing' | 'incoming' }
  | { op: 'heal' }
  /** Let time pass (both sides): etcd's 5 s HealthInterval is defined in time, so it is waited out. */
  | { op: 'age'; ms: number }
  /**
   * Wait (bounded) for a leader other than `not`. Timed: 'fast' (< 500 ms, a handover), 'election'
   * (within maxMs), 'none'. Untimed: 'leader' or 'none'.
   */
  | { op: 'leader'; maxMs: number; not?: Ref; timed?: boolean }
  /** Whether any acknowledged put is gone, read through `via` (linearizable). */
  | { op: 'lost'; via: Ref };

export interface Case {
  name: string;
  /** What it checks, with the FACTS rule. */
  why: string;
  members: string[];
  steps: Step[];
  /**
   * A documented exception: the steps (by index) whose outcomes may differ, and why. Every other step
   * must agree.
   */
  exception?: { steps: number[]; reason: string };
}

/** A handover is faster than this; an election (1-2.5 s, F§4) slower. */
export const FAST_MS = 500;

export function describeStep(s: Step): string {
  switch (s.op) {
    case 'bind':
    case 'heal':
      return s.op;
    case 'put':
    case 'lost':
      return `${s.op} via ${s.via}`;
    case 'get':
      return `get${s.serializable ? ' (serializable)' : ''} via ${s.via}`;
    case 'addLearner':
    case 'promote':
    case 'remove':
      return `${s.op} ${s.name} via ${s.via}`;
    case 'stop':
    case 'kill':
    case 'start':
    case 'wipe':
      return `${s.op} ${s.name}`;
    case 'isolate':
      return `isolate ${s.name} (${s.dir})`;
    case 'age':
      return `age ${s.ms} ms`;
    case 'leader':
      return `leader${s.not ? ` != ${s.not}` : ''} within ${s.maxMs} ms`;
  }
}

/** Role bindings: '@L' -> name. */
export class Bindings {
  private readonly map = new Map<string, string>();

  bind(leader: string, initial: readonly string[]): void {
    this.map.clear();
    this.map.set('@L', leader);
    let i = 1;
    for (const n of [...initial].sort()) if (n !== leader) this.map.set(`@F${i++}`, n);
  }

  resolve(ref: Ref): string {
    if (!ref.startsWith('@')) return ref;
    const n = this.map.get(ref);
    if (n === undefined) throw new Error(`differential: unbound reference ${ref} (missing 'bind' step?)`);
    return n;
  }
}

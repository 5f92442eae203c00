// Model coverage: which states and transitions of the node and etcd-service machines the runs visited.
// It watches each actor through XState's inspection API (`actor.system.inspect`), which reports every
// microstep with the transitions it took. Nothing is attached unless a coverage object is given to a run,
// so a run without coverage costs nothing more; with coverage the run only gains an observer, which
// reads snapshots and never sends events, so the trace stays byte-identical.
import type { AnyActorRef, AnyStateMachine, AnyStateNode, AnyTransitionDefinition, StateValue } from 'xstate';
import { etcdServiceMachine } from '../../models/etcd-service.js';
import { nodeMachine } from '../../models/node.js';
import type { World } from '../cluster/world.js';
import { machineGraph, transitionInfo, type TransitionInfo } from './model-graph.js';

export interface StateHits {
  id: string;
  /** How often the state was entered (a state left and entered again counts again). */
  hits: number;
}

export interface TransitionHits extends TransitionInfo {
  hits: number;
}

export interface MachineCoverage {
  machine: string;
  states: StateHits[];
  transitions: TransitionHits[];
  unvisitedStates: string[];
  unvisitedTransitions: string[];
  /** Taken at run time but not in the enumerated definition (a run used a different machine). */
  undefinedTransitions: string[];
}

export interface CoverageReport {
  /** How many runs were watched. */
  runs: number;
  machines: MachineCoverage[];
}

interface Tally {
  logic: AnyStateMachine;
  states: Map<string, number>;
  transitions: Map<string, number>;
  defined: Set<string>;
  extra: Map<string, TransitionInfo>;
}

/** The ids of the state nodes a state value makes active, the root included. */
function activeStateIds(node: AnyStateNode, value: StateValue | undefined, out: string[]): void {
  out.push(node.id);
  if (typeof value === 'string') {
    const child = node.states[value];
    if (child) activeStateIds(child, undefined, out);
  } else if (value) {
    for (const [key, sub] of Object.entries(value)) {
      const child = node.states[key];
      if (child) activeStateIds(child, sub, out);
    }
  }
}

export class ModelCoverage {
  private readonly tallies = new Map<string, Tally>();
  private watchedRuns = 0;

  /** Which machines to count, by their XState id (default: the node and etcd-service models). */
  constructor(machines: readonly AnyStateMachine[] = [nodeMachine, etcdServiceMachine]) {
    for (const m of machines) {
      if (this.tallies.has(m.id)) throw new Error(`ModelCoverage: two machines share the id '${m.id}'`);
      const g = machineGraph(m);
      this.tallies.set(m.id, {
        logic: m,
        states: new Map(g.states.map((s) => [s, 0])),
        transitions: new Map(g.transitions.map((t) => [t.key, 0])),
        defined: new Set(g.transitions.map((t) => t.key)),
        extra: new Map(),
      });
    }
  }

  /** A `mutateWorld` hook for simulate(): watches every actor of the run (and calls `then` after). */
  hook(then?: (world: World) => void): (world: World) => void {
    return (world) => {
      this.watchWorld(world);
      then?.(world);
    };
  }

  /** Watch every node and etcd-service actor of a freshly built world (one run). */
  watchWorld(world: World): void {
    this.watchedRuns++;
    for (const n of world.nodes) {
      this.watch(n.actor);
      if (n.etcd) this.watch(n.etcd);
    }
  }

  /** Watch one started machine actor; its current state counts as entered. Unknown machines are ignored. */
  watch(actor: AnyActorRef): void {
    const logic = (actor as { logic?: unknown }).logic as AnyStateMachine | undefined;
    const tally = logic ? this.tallies.get(logic.id) : undefined;
    if (!tally || !logic) return;
    let active = new Set<string>();
    const enter = (value: StateValue) => {
      const ids: string[] = [];
      activeStateIds(logic.root, value, ids);
      for (const id of ids) if (!active.has(id)) tally.states.set(id, (tally.states.get(id) ?? 0) + 1);
      active = new Set(ids);
    };
    enter((actor.getSnapshot() as { value: StateValue }).value);
    actor.system.inspect((ev) => {
      if (ev.type !== '@xstate.microstep' || ev.actorRef !== actor) return;
      for (const t of ev._transitions as AnyTransitionDefinition[]) {
        const info = transitionInfo(t);
        if (!tally.defined.has(info.key)) tally.extra.set(info.key, info);
        tally.transitions.set(info.key, (tally.transitions.get(info.key) ?? 0) + 1);
      }
      const value = (ev.snapshot as { value?: StateValue }).value;
      if (value !== undefined) enter(value);
    });
  }

  get runs(): number {
    return this.watchedRuns;
  }

  report(): CoverageReport {
    const machines: MachineCoverage[] = [];
    for (const [id, t] of this.tallies) {
      const g = machineGraph(t.logic);
      const transitions: TransitionHits[] = [
        ...g.transitions,
        ...[...t.extra.values()].sort((a, b) => a.key.localeCompare(b.key)),
      ].map((info) => ({ ...info, hits: t.transitions.get(info.key) ?? 0 }));
      const states = [...t.states].map(([s, hits]) => ({ id: s, hits }));
      machines.push({
        machine: id,
        states,
        transitions,
        unvisitedStates: states.filter((s) => s.hits === 0).map((s) => s.id),
        unvisitedTransitions: transitions.filter((x) => x.hits === 0).map((x) => x.key),
        undefinedTransitions: [...t.extra.keys()],
      });
    }
    return { runs: this.watchedRuns, machines };
  }
}

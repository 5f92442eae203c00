// The states and transitions of an XState machine, enumerated from its definition with @xstate/graph
// (toDirectedGraph walks every state node and its `on`, `after` and done/error transitions). Eventless
// `always` transitions are not edges of that graph, so they are added here from each state node: the
// node model decides much of its boot and upgrade path with them, and coverage that left them out would
// hide exactly the branches a fuzz run is meant to reach.
import { toDirectedGraph, type DirectedGraphNode } from '@xstate/graph';
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

export interface TransitionInfo {
  /** `source --event--> targets`; `#n` after the event tells guarded branches of one event apart. */
  key: string;
  source: string;
  event: string;
  targets: string;
}

export interface MachineGraph {
  machine: string;
  /** Every state node id, the root included, in definition order. */
  states: string[];
  transitions: TransitionInfo[];
}

const AFTER = 'xstate.after.';

/** `xstate.after.stage.node.firmware` reads `after(stage)`; eventless transitions read `always`. */
function eventLabel(t: AnyTransitionDefinition): string {
  const type = t.eventType;
  if (type === '') return 'always';
  if (type.startsWith(AFTER)) {
    const rest = type.slice(AFTER.length);
    const suffix = `.${t.source.id}`;
    return `after(${rest.endsWith(suffix) ? rest.slice(0, -suffix.length) : rest})`;
  }
  return type;
}

/** The transitions of one source for the same event (or its `always` list), in definition order. */
function siblings(t: AnyTransitionDefinition): readonly AnyTransitionDefinition[] {
  const source = t.source as AnyStateNode;
  if (t.eventType === '') return source.always ?? [];
  return source.transitions.get(t.eventType) ?? [];
}

const infoCache = new WeakMap<AnyTransitionDefinition, TransitionInfo>();

/** The stable description of one transition definition (cached: the engine asks on every microstep). */
export function transitionInfo(t: AnyTransitionDefinition): TransitionInfo {
  const cached = infoCache.get(t);
  if (cached) return cached;
  const list = siblings(t);
  const branch = list.length > 1 ? `#${list.indexOf(t)}` : '';
  const source = t.source.id;
  const event = `${eventLabel(t)}${branch}`;
  const targets = t.target?.length ? t.target.map((s) => s.id).join(',') : '(stays)';
  const info = { key: `${source} --${event}--> ${targets}`, source, event, targets };
  infoCache.set(t, info);
  return info;
}

/** Enumerate a machine's states and transitions from its definition. */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const states: string[] = [];
  const seen = new Set<AnyTransitionDefinition>();
  const transitions: TransitionInfo[] = [];
  const add = (t: AnyTransitionDefinition) => {
    if (seen.has(t)) return;
    seen.add(t);
    transitions.push(transitionInfo(t));
  };
  const walk = (g: DirectedGraphNode) => {
    states.push(g.stateNode.id);
    // One graph edge per target: a transition with two targets is two edges but one transition here.
    for (const e of g.edges) add(e.transition);
    for (const t of (g.stateNode as AnyStateNode).always ?? []) add(t);
    for (const child of g.children) walk(child);
  };
  walk(toDirectedGraph(machine));
  return { machine: machine.id, states, transitions };
}

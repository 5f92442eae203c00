// Model coverage (sim/coverage/): the enumeration follows the machine definitions, a run's counts follow
// what the run did, and watching a run leaves its trace byte-identical.
import { describe, expect, test } from 'vitest';
import { createMachine, type AnyStateMachine } from 'xstate';
import { etcdServiceMachine } from '../../../models/etcd-service.js';
import { nodeMachine } from '../../../models/node.js';
import { ModelCoverage, formatCoverage, machineGraph } from '../../../sim/coverage/index.js';
import { simulate } from '../../../sim/simulate.js';
import { baseYaml, scenario } from '../../helpers/scenario.js';

const noUpgrade = [
  'name: idle',
  'seed: 1',
  'duration: 20m',
  'bootloader: talos',
  'cluster: { controlPlanes: 3, workers: 1, version: v1.8.0 }',
  '',
].join('\n');

function covered(yaml: string, cov = new ModelCoverage()): ModelCoverage {
  simulate(scenario(yaml), { checkpoints: false, mutateWorld: cov.hook() });
  return cov;
}

function hitsOf(cov: ModelCoverage, machine: string) {
  const m = cov.report().machines.find((x) => x.machine === machine)!;
  return {
    m,
    state: (id: string) => m.states.find((s) => s.id === id)?.hits,
    visited: (prefix: string) =>
      m.states.filter((s) => s.id.startsWith(prefix) && s.hits > 0).map((s) => s.id),
  };
}

describe('machineGraph', () => {
  test('enumerates the node machine: every state node, on/after/always transitions', () => {
    const g = machineGraph(nodeMachine);
    expect(g.machine).toBe('node');
    expect(g.states).toContain('node.off');
    expect(g.states).toContain('node.running.activity.upgrading.install');
    // Definition order, the root first, no duplicates.
    expect(g.states[0]).toBe('node');
    expect(new Set(g.states).size).toBe(g.states.length);
    const keys = g.transitions.map((t) => t.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('node.off --POWER_ON--> node.firmware');
    // An eventless branch (@xstate/graph leaves these out; model-graph.ts adds them).
    expect(keys.some((k) => k.startsWith('node.bootloader --always#0--> '))).toBe(true);
    expect(keys.some((k) => k.includes('--after(stage)--> '))).toBe(true);
  });

  test('a fake state added to a copy of a machine appears in the enumeration and as unvisited', () => {
    const config = etcdServiceMachine.config as { states: Record<string, unknown> };
    const copy = createMachine(
      { ...config, states: { ...config.states, fake: { on: { FAKE: 'stopped' } } } } as never,
      etcdServiceMachine.implementations as never,
    ) as AnyStateMachine;
    const before = machineGraph(etcdServiceMachine);
    const after = machineGraph(copy);
    expect(after.states.length).toBe(before.states.length + 1);
    expect(after.states).toContain('etcdService.fake');
    expect(after.transitions.map((t) => t.key)).toContain('etcdService.fake --FAKE--> etcdService.stopped');
    expect(after.transitions.length).toBe(before.transitions.length + 1);
    // Watched over a real run (the world runs the copy), the fake state is listed as never visited.
    const cov = new ModelCoverage([nodeMachine, copy]);
    simulate(scenario(noUpgrade), {
      checkpoints: false,
      etcdServiceMachine: copy as typeof etcdServiceMachine,
      mutateWorld: cov.hook(),
    });
    const m = cov.report().machines.find((x) => x.machine === 'etcdService')!;
    expect(m.unvisitedStates).toContain('etcdService.fake');
    expect(m.states.find((s) => s.id === 'etcdService.running')!.hits).toBeGreaterThan(0);
    expect(m.undefinedTransitions).toEqual([]);
  });
});

describe('ModelCoverage over runs', () => {
  test('a run that never upgrades leaves the upgrade states unvisited, and boots every node', () => {
    const cov = covered(noUpgrade);
    const node = hitsOf(cov, 'node');
    expect(node.visited('node.running.activity.upgrading')).toEqual([]);
    expect(node.m.unvisitedStates).toContain('node.running.activity.upgrading');
    // Four nodes boot once each: every one enters off (initial), firmware and running once.
    expect(node.state('node.off')).toBe(4);
    expect(node.state('node.firmware')).toBe(4);
    expect(node.state('node.running')).toBe(4);
    expect(node.m.transitions.find((t) => t.key === 'node.off --POWER_ON--> node.firmware')?.hits).toBe(4);
    // Three etcd services start.
    expect(hitsOf(cov, 'etcdService').state('etcdService.running')).toBeGreaterThanOrEqual(3);
    expect(node.m.undefinedTransitions).toEqual([]);
  });

  test('an upgrade run visits the upgrade states; counts add up over runs', () => {
    const cov = covered(baseYaml());
    const node = hitsOf(cov, 'node');
    expect(node.state('node.running.activity.upgrading')).toBe(5);
    expect(node.state('node.running.activity.upgrading.install')).toBe(5);
    covered(baseYaml(), cov);
    expect(cov.runs).toBe(2);
    expect(hitsOf(cov, 'node').state('node.running.activity.upgrading')).toBe(10);
  });

  test('watching a run leaves its trace byte-identical', () => {
    const plain = simulate(scenario(baseYaml()), {});
    const watched = simulate(scenario(baseYaml()), { mutateWorld: new ModelCoverage().hook() });
    expect(watched.trace).toBe(plain.trace);
    expect(watched.footer.hash).toBe(plain.footer.hash);
  });

  test('formatCoverage prints the tables and lists the never-visited ones', () => {
    const text = formatCoverage(covered(noUpgrade).report());
    expect(text).toMatch(/^model coverage over 1 run\(s\)/);
    expect(text).toMatch(/node: states \d+\/\d+ \([\d.]+ %\), transitions \d+\/\d+/);
    expect(text).toMatch(
      /never visited states \(\d+\):\n(?: {4}.*\n)*? {4}node\.running\.activity\.upgrading\n/,
    );
    expect(text).toMatch(/ {2}node\.off\s+4\n/);
  });
});

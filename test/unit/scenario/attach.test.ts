// `attach:` in a scenario (issue 10, mixed runs): an attached node is kept for the mixed run, which uses the
// real etcd of the attached control planes; so every control plane must be attached, and scenario faults
// (which act on the simulated world only) are refused rather than silently doing nothing.
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../../sim/scenario/load.js';

function problem(yaml: string): string {
  try {
    parseScenario(yaml, 'k.yaml');
    return '(accepted)';
  } catch (err) {
    if (err instanceof ScenarioError) return err.message;
    throw err;
  }
}

const ALL_CPS =
  'name: k\ncluster:\n  controlPlanes: 3\n  workers: 2\n  version: v1.8.0\n  nodes:\n' +
  '    - { name: cp1, attach: 127.0.0.1:50001 }\n' +
  '    - { name: cp2, attach: 127.0.0.1:50002 }\n' +
  '    - { name: cp3, attach: 127.0.0.1:50003 }\n';

describe('attach: in scenarios', () => {
  it('every control plane attached, workers simulated: accepted, the addresses kept', () => {
    const s = parseScenario(ALL_CPS + 'upgrade: { to: v1.8.1 }\n', 'k.yaml');
    expect(s.cluster.nodes.map((n) => [n.name, n.attach ?? null])).toEqual([
      ['cp1', '127.0.0.1:50001'],
      ['cp2', '127.0.0.1:50002'],
      ['cp3', '127.0.0.1:50003'],
      ['w1', null],
      ['w2', null],
    ]);
  });

  it('a simulated control plane beside attached ones is refused (etcd is real in a mixed run)', () => {
    const msg = problem(
      'name: k\ncluster:\n  controlPlanes: 3\n  version: v1.7.6\n  nodes:\n    - { name: cp2, attach: 127.0.0.1:50051 }\n',
    );
    expect(msg).toMatch(/field 'cluster\.nodes': control plane 'cp1' is not attached/);
  });

  it('scenario faults with attached nodes are refused, not silently dropped', () => {
    const msg = problem(
      ALL_CPS + 'upgrade: { to: v1.8.1 }\nfaults:\n  - { at: 1m, type: powerLoss, node: w1, duration: 1m }\n',
    );
    expect(msg).toMatch(/field 'faults': not supported in a run with attached nodes/);
    expect(problem(ALL_CPS + 'random:\n  powerLoss: { ratePerNodeHour: 1, duration: 1m }\n')).toMatch(
      /field 'random': not supported/,
    );
  });

  it('without attach nothing changes: no node carries an address', () => {
    const s = parseScenario('name: k\ncluster: { controlPlanes: 3, version: v1.8.0 }\n', 'k.yaml');
    expect(s.cluster.nodes.every((n) => n.attach === undefined)).toBe(true);
  });
});

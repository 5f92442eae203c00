// Strict expectations: in an `expect:` block every checked invariant that is not listed under
// `violations` must hold. A scenario that expects a quorum loss but also breaks another invariant fails.
import { describe, expect, it } from 'vitest';
import { checkExpectations } from '../../../sim/expect.js';
import { parseScenario } from '../../../sim/scenario/load.js';
import { simulate } from '../../../sim/simulate.js';

// Naive policy with force (no pre-checks, so no upgrade mutex) on 3 control planes: every control plane
// at once, so quorum and single-upgrader break.
const naive = (expectBlock: string, invariants = '[quorum, single-upgrader, bootable]') =>
  parseScenario(
    `name: strict
duration: 60m
cluster: { controlPlanes: 3, workers: 0, version: v1.7.6 }
upgrade: { to: v1.8.0, at: 5m, policy: { preset: naive, force: true } }
workload: { etcdWritesPerSecond: 0 }
invariants: ${invariants}
${expectBlock}
`,
    'strict.yaml',
  );

function unmet(yaml: string, invariants?: string) {
  const s = naive(yaml, invariants);
  const r = simulate(s, { checkpoints: false });
  return checkExpectations(s.expect!, r).filter((x) => !x.met);
}

describe('strict expectations', () => {
  it('the run really breaks both quorum and single-upgrader', () => {
    const r = simulate(naive(''), { checkpoints: false });
    const broken = new Set(r.violations.map((v) => v.invariant));
    expect(broken.has('quorum')).toBe(true);
    expect(broken.has('single-upgrader')).toBe(true);
  });

  it('an invariant that breaks but is not listed under violations is an unmet expectation', () => {
    const bad = unmet('expect: { violations: [quorum] }');
    expect(bad.map((x) => x.what)).toEqual(['single-upgrader holds']);
    expect(bad[0]!.actual).toMatch(/^violated at \d+ ms/);
  });

  it('listing every broken invariant meets the block; the unbroken ones are checked to hold', () => {
    const s = naive('expect: { violations: [quorum, single-upgrader] }');
    expect(s.expect!.holds).toEqual(['bootable']);
    expect(unmet('expect: { violations: [quorum, single-upgrader] }')).toEqual([]);
  });

  it('an invariant the scenario does not check is not demanded', () => {
    expect(unmet('expect: { violations: [quorum] }', '[quorum, bootable]')).toEqual([]);
  });
});

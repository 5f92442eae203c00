// One trace header for simulated and mixed runs (sim/trace/header.ts): the same fields in the same order
// (a simulated run's trace bytes, hence its hash, must not change), `deterministic` as the caller says.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../sim/run/run.js';
import { traceHeader } from '../../../sim/trace/header.js';
import { CODE_VERSION } from '../../../sim/version.js';
import { baseYaml, scenario } from '../../helpers/scenario.js';

describe('traceHeader', () => {
  it('is the first line of a simulated run, marked deterministic', () => {
    const s = scenario(baseYaml({ cps: 1, workers: 1 }));
    const r = simulate(s);
    const first = JSON.parse(r.trace!.slice(0, r.trace!.indexOf('\n'))) as unknown;
    expect(first).toEqual(traceHeader(s, s.seed, true));
    expect(Object.keys(first as object)).toEqual(Object.keys(traceHeader(s, s.seed, true)));
  });

  it('names attached nodes and says what the caller says about determinism', () => {
    const s = scenario(
      baseYaml({ cps: 1, workers: 1 }).replace(
        '  version: v1.7.6\n',
        '  version: v1.7.6\n  nodes:\n    - { name: cp1, attach: 127.0.0.1:50001 }\n',
      ),
    );
    const h = traceHeader(s, 'seed-x', false);
    expect(h).toMatchObject({
      kind: 'header',
      seed: 'seed-x',
      codeVersion: CODE_VERSION,
      deterministic: false,
      nodes: [
        { name: 'cp1', role: 'controlplane', attached: true },
        { name: 'w1', role: 'worker', attached: false },
      ],
    });
  });
});

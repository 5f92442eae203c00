// The fault-kind registry (STYLE.md habit 12): every fault file registers exactly one kind, and the schema,
// the loader and the run loop take their list of kinds from it, with no switch of their own.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, RANDOM_FAULT_KINDS } from '../../../sim/faults/index.js';
import { SCENARIO_FILE_SCHEMA } from '../../../sim/scenario/schema.js';
import { parseScenario, ScenarioError } from '../../../sim/scenario/load.js';

const FAULTS_DIR = join(import.meta.dirname, '../../../sim/faults');
/** Files of sim/faults/ that are the machinery, not a kind. */
const MACHINERY = new Set(['index.ts', 'kind.ts', 'registry.ts', 'random.ts']);

describe('fault kind registry', () => {
  it('every fault file exports one FaultKind and it is registered', () => {
    const files = readdirSync(FAULTS_DIR).filter((f) => f.endsWith('.ts') && !MACHINERY.has(f));
    expect(files.length).toBe(FAULT_KINDS.length);
    for (const f of files) {
      const text = readFileSync(join(FAULTS_DIR, f), 'utf8');
      const kinds = [...text.matchAll(/export const (\w+): FaultKind</g)];
      expect(kinds.length, `${f} exports one FaultKind`).toBe(1);
      // STYLE.md habit 5: a fault file starts with its header.
      expect(text.startsWith('// '), `${f} starts with a header comment`).toBe(true);
    }
    const types = FAULT_KINDS.map((k) => k.type);
    expect(new Set(types).size).toBe(types.length);
  });

  it('the schema lists exactly the registered kinds and random keys', () => {
    const items = SCENARIO_FILE_SCHEMA.properties.faults.items;
    expect(items.properties.type.enum).toEqual(FAULT_KINDS.map((k) => k.type));
    expect(items.oneOf.map((o) => o.properties.type.const)).toEqual(FAULT_KINDS.map((k) => k.type));
    const randomKeys = Object.keys(SCENARIO_FILE_SCHEMA.properties.random.properties).filter(
      (k) => k !== 'maxConcurrent' && k !== 'from',
    );
    expect(randomKeys).toEqual(RANDOM_FAULT_KINDS.map((k) => k.random!.key));
  });

  it('random arrivals are normalised in registry order, whatever the file order', () => {
    const s = parseScenario(
      `name: r
cluster: { controlPlanes: 3, version: v1.7.6 }
upgrade: { to: v1.8.0 }
random:
  failedBoot: { ratePerNodeHour: 0.1 }
  isolate: { ratePerNodeHour: 0.2, duration: 1m..2m }
  powerLoss: { ratePerNodeHour: 0.3, duration: 30s }
`,
      'r.yaml',
    );
    expect(s.random?.arrivals.map((a) => a.key)).toEqual(['powerLoss', 'isolate', 'failedBoot']);
  });

  it('an unknown fault type is rejected naming the registered ones', () => {
    const bad = () =>
      parseScenario(
        'name: x\ncluster: { controlPlanes: 3, version: v1.7.6 }\nfaults:\n  - { at: 1m, type: meteor, node: cp1 }\n',
        'x.yaml',
      );
    expect(bad).toThrow(ScenarioError);
    expect(bad).toThrow(/x\.yaml:4:\d+: field 'faults\[0\]\.type': must be one of: powerLoss, partition/);
  });
});

describe('scenario keys that would do nothing are refused (issue 6, "Also")', () => {
  const problem = (yaml: string): string => {
    try {
      parseScenario(yaml, 'k.yaml');
    } catch (e) {
      if (e instanceof ScenarioError) return e.message;
      throw e;
    }
    return '(accepted)';
  };

  it('random.failedBoot without an upgrade, naming file, line and field', () => {
    const msg = problem(
      'name: k\ncluster: { controlPlanes: 3, version: v1.7.6 }\nrandom:\n  failedBoot: { ratePerNodeHour: 1 }\n',
    );
    expect(msg).toMatch(/^k\.yaml:4:3: field 'random\.failedBoot': .*no 'upgrade'/);
  });

  it('random.failedBoot with an upgrade is accepted', () => {
    expect(
      problem(
        'name: k\ncluster: { controlPlanes: 3, version: v1.7.6 }\nupgrade: { to: v1.8.0 }\n' +
          'random:\n  failedBoot: { ratePerNodeHour: 1 }\n',
      ),
    ).toBe('(accepted)');
  });
});

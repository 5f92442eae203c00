// The hostile-input fuzz suite (issue 11, Tests). fast-check generates damaged scenario files (wrong types,
// huge and tiny numbers, typos at every level, YAML alias bombs, deep nesting, binary, truncation, unknown
// tags) and damaged traces (flipped characters, dropped, duplicated, swapped and junk lines, footer edits,
// truncation). Each scenario must load or fail with a ScenarioError naming the file, a line and (where the
// damage has one) the field, without a stack trace and within a CPU-time bound; each trace must never be
// reported as verified unless its content is the original's. Most cases run in-process; a handful go
// through the real CLI. `npm run fuzz:input` is the long version with counts per class.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  anyScenarioCase,
  anyTraceCase,
  checkScenarioCase,
  checkTraceCase,
  SCENARIO_CLASSES,
  scenarioCase,
  type ScenarioCase,
} from '../../bench/hostile-input.js';
import { EXIT } from '../../sim/cli/exit-codes.js';

const SEED = 20261129;

describe('hostile scenario files, in-process', () => {
  it('every damaged scenario loads or is a ScenarioError naming file, line and field, in bounded time', () => {
    fc.assert(
      fc.property(anyScenarioCase, (c) => {
        const o = checkScenarioCase(c);
        if (o.defect) throw new Error(o.defect);
      }),
      { seed: SEED, numRuns: 250 },
    );
  });

  it('the checker itself can fail: an exception that is not a ScenarioError is a defect', () => {
    // Canary: a case the loader handles well must pass, and a broken expectation (a field the error does not
    // name) must be reported as a defect.
    const c: ScenarioCase = {
      cls: 'wrong-type',
      text: 'name: t\ncluster: { controlPlanes: "three", version: v1.7.6 }\n',
      field: 'cluster.controlPlanes',
    };
    expect(checkScenarioCase(c).defect).toBeNull();
    expect(checkScenarioCase({ ...c, field: 'upgrade.policy' }).defect).toMatch(/no problem names/);
  });
});

describe('hostile traces, in-process', () => {
  it('a damaged trace is rejected or read with problems, never verified as if untouched', () => {
    fc.assert(
      fc.property(anyTraceCase, (c) => {
        const o = checkTraceCase(c);
        if (o.defect) throw new Error(o.defect);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});

describe('hostile scenario files through the real CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upgradelab-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const CLI = join(process.cwd(), 'dist/sim/cli/main.js');

  it('validate exits 2 with file:line and no stack trace, for one rejected case of each class', () => {
    const files: string[] = [];
    for (const cls of SCENARIO_CLASSES) {
      // The first generated case of the class that the loader rejects (some damage leaves a valid file).
      const c = fc
        .sample(scenarioCase[cls], { seed: SEED, numRuns: 30 })
        .find((x) => checkScenarioCase(x).accepted === false);
      if (!c) continue;
      const f = join(dir, `${cls}.yaml`);
      writeFileSync(f, c.text);
      files.push(f);
    }
    expect(files.length).toBeGreaterThanOrEqual(SCENARIO_CLASSES.length - 1);
    const r = spawnSync(process.execPath, [CLI, 'validate', ...files], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(EXIT.badInput);
    for (const f of files) expect(r.stderr).toContain(`${f}:`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

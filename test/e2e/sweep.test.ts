// `upgradelab sweep` and `upgradelab merge` through the built CLI (worker threads need the compiled
// worker): the result does not depend on the number of workers, and shards merged give exactly the
// unsharded result (issue 8). Only the `timing` fields may differ.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/load.js';
import type { SweepReport } from '../../sim/sweep/tally.js';

const CLI = join(process.cwd(), 'dist/sim/cli/main.js');
const FILE = 'test/fixtures/sweep-small.yaml';
const tmp = mkdtempSync(join(tmpdir(), 'upgradelab-sweep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The report without its wall-clock fields. */
function untimed(json: string): Omit<SweepReport, 'timing'> {
  const r = JSON.parse(json) as SweepReport;
  expect(r.format).toBe('upgradelab-sweep');
  const { timing: _timing, ...rest } = r;
  return rest;
}

describe('upgradelab sweep', () => {
  const seeds = '1..8';
  let one: ReturnType<typeof cli>;

  it('1 and 2 workers give identical JSON apart from timing', () => {
    one = cli('sweep', FILE, '--seeds', seeds, '--workers', '1', '--json');
    const two = cli('sweep', FILE, '--seeds', seeds, '--workers', '2', '--json');
    expect([0, 1]).toContain(one.code);
    expect(two.code).toBe(one.code);
    const a = untimed(one.out);
    expect(untimed(two.out)).toEqual(a);
    expect(a.runs).toBe(8);
    expect(JSON.parse(two.out).timing.workers).toBe(2);
    // The random faults of the subject must show in the coverage matrix.
    expect(a.coverage.cells.length).toBeGreaterThan(0);
  });

  it('shards 0/2 and 1/2 merged equal the unsharded sweep', () => {
    const dir = join(tmp, 'shards');
    for (const i of [0, 1]) {
      const r = cli('sweep', FILE, '--seeds', seeds, '--shard', `${i}/2`, '--workers', '1', '--out', dir);
      expect([0, 1]).toContain(r.code);
      expect(r.out).toMatch(new RegExp(`shard ${i}/2\\): 4 seeds`));
    }
    const shard0 = join(dir, 'shard-0-of-2.json');
    const shard1 = join(dir, 'shard-1-of-2.json');
    expect(JSON.parse(readFileSync(shard1, 'utf8')).tally.runs).toBe(4);
    const merged = cli('merge', shard1, shard0, '--json');
    expect(merged.code).toBe(one.code);
    expect(untimed(merged.out)).toEqual(untimed(one.out));
  });

  it('merge refuses a missing or repeated shard; bad options exit 2 before any run', () => {
    const dir = join(tmp, 'shards');
    const missing = cli('merge', join(dir, 'shard-0-of-2.json'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/shard\(s\) 1\/2 missing/);
    const twice = cli('merge', join(dir, 'shard-0-of-2.json'), join(dir, 'shard-0-of-2.json'));
    expect(twice.code).toBe(2);
    expect(cli('sweep', FILE, '--seeds', '9..1').code).toBe(2);
    expect(cli('sweep', FILE, '--seeds', '1..4', '--shard', '2/2').code).toBe(2);
    expect(cli('sweep', 'no/such.yaml', '--seeds', '1..4').code).toBe(2);
  });

  it('prints rates, distributions, coverage and each failing seed with its command', () => {
    const r = cli('sweep', 'scenarios/power-loss-costs-quorum.yaml', '--seeds', '1..2', '--workers', '1');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/quorum +2\/2 +100\.00 % \[\d+\.\d+, 100\.00\]/);
    expect(r.out).toMatch(/upgrade duration: /);
    expect(r.out).toMatch(/coverage \(runs in which/);
    expect(r.out).toContain('upgradelab run scenarios/power-loss-costs-quorum.yaml --seed 2');
    expect(r.err).toMatch(/sweep: 2\/2 seeds, 2 failing/);
  });
});

describe('upgradelab sweep of a scenario with a fuzz: block', () => {
  const FUZZ = 'test/fixtures/sweep-fuzz.yaml';

  it('each seed draws its own schedule; 1 and 2 workers give identical JSON apart from timing', () => {
    const one = cli('sweep', FUZZ, '--seeds', '1..8', '--workers', '1', '--json');
    const two = cli('sweep', FUZZ, '--seeds', '1..8', '--workers', '2', '--json');
    expect(one.code, one.err).toBe(1);
    expect(two.code).toBe(1);
    const a = untimed(one.out);
    expect(untimed(two.out)).toEqual(a);
    // The fixture has no faults: of its own; the drawn ones show in the coverage matrix, and they differ
    // per seed: some seeds lose quorum, some do not.
    expect(a.coverage.cells.length).toBeGreaterThan(0);
    expect(a.tally.failingRuns).toBeGreaterThan(0);
    expect(a.tally.failingRuns).toBeLessThan(8);
  });

  it("a failing seed's command writes the drawn scenario, and `run` reproduces the same violation", () => {
    const r = untimed(cli('sweep', FUZZ, '--seeds', '1..4', '--workers', '1', '--json').out);
    const failure = r.tally.failures[0]!;
    expect(failure.reproduce).toBe(
      `upgradelab fuzz ${FUZZ} --draw ${failure.seed} --out test/fixtures/sweep-fuzz.draw-${failure.seed}.yaml ` +
        `&& upgradelab run test/fixtures/sweep-fuzz.draw-${failure.seed}.yaml`,
    );
    const drawn = join(tmp, 'drawn.yaml');
    const draw = cli('fuzz', FUZZ, '--draw', String(failure.seed), '--out', drawn);
    expect(draw.code, draw.err).toBe(0);
    const text = readFileSync(drawn, 'utf8');
    expect(text).toMatch(new RegExp(`^seed: ${failure.seed}$`, 'm'));
    expect(text).toMatch(/^faults:/m);
    // The same draw twice is the same file (a pure function of file and seed).
    const again = join(tmp, 'drawn-again.yaml');
    cli('fuzz', FUZZ, '--draw', String(failure.seed), '--out', again);
    expect(readFileSync(again, 'utf8')).toBe(text);
    const run = cli('run', drawn, '--json');
    expect(run.code).toBe(1);
    const first = (JSON.parse(run.out) as { violations: { invariant: string; message: string }[] })
      .violations[0]!;
    expect(`${first.invariant}: ${first.message}`).toBe(failure.message);
    // Another seed draws another schedule (the faults, not only the seed line, differ).
    const other = join(tmp, 'other.yaml');
    cli('fuzz', FUZZ, '--draw', String(failure.seed + 1), '--out', other);
    const faultsOf = (file: string) => parseScenario(readFileSync(file, 'utf8'), file).faults;
    expect(faultsOf(drawn).length).toBeGreaterThan(0);
    expect(faultsOf(other)).not.toEqual(faultsOf(drawn));
  });
});

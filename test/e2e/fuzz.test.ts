// `upgradelab fuzz`: explores a scenario's own fault space (its `fuzz:` block), shrinks the first failure
// and writes it as a scenario file that `upgradelab run` reproduces exactly (same violation, same time).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../sim/scenario/load.js';

const CLI = join(process.cwd(), 'dist/sim/cli/main.js');
const EXAMPLE = join(process.cwd(), 'scenarios/fuzz/health-gate-off-parallel-2.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'upgradelab-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('upgradelab fuzz', () => {
  it('the bundled example is clean without faults (the fuzz finds the faults, not the policy alone)', () => {
    const s = loadScenarioFile(EXAMPLE);
    expect(s.fuzz).toMatchObject({ kinds: ['powerLoss', 'isolate', 'oneWayCut', 'peerCut'], budget: 4 });
    const clean = join(tmp, 'clean.yaml');
    writeFileSync(clean, readFileSync(EXAMPLE, 'utf8') + 'faults: []\n');
    expect(cli('run', clean).status).toBe(0);
  });

  it('finds, shrinks to one fault, and writes a file that `upgradelab run` reproduces exactly', () => {
    const out = join(tmp, 'nested', 'shrunk.yaml');
    const f = cli('fuzz', EXAMPLE, '--runs', '100', '--seed', '7', '--out', out);
    expect(f.status, f.stderr).toBe(1);
    expect(f.stdout).toMatch(/broke quorum; shrunk in \d+ steps to 1 fault\(s\)/);
    // Not a terminal here: plain progress lines with runs, failures and runs/s.
    expect(f.stderr).toMatch(/^fuzz: (exploring|shrinking): \d+ runs, \d+ failures, [\d.]+ runs\/s$/m);
    const text = readFileSync(out, 'utf8');
    expect(parseScenario(text, out).faults).toHaveLength(1);
    const header = /# violation: quorum at \S+ \((\d+) ms\): (.*)$/m.exec(text)!;
    expect(header).not.toBeNull();
    const run = cli('run', out, '--json');
    expect(run.status).toBe(1);
    const json = JSON.parse(run.stdout) as {
      violations: { invariant: string; t: number; message: string }[];
    };
    const first = json.violations.find((v) => v.invariant === 'quorum')!;
    expect(first.t).toBe(Number(header[1]));
    expect(first.message.replace(/\s+/g, ' ')).toBe(header[2]);
  });

  it('the same seed explores the same schedules: two fuzz runs write the same file', () => {
    const a = join(tmp, 'a.yaml');
    const b = join(tmp, 'b.yaml');
    cli('fuzz', EXAMPLE, '--runs', '30', '--seed', '3', '--out', a);
    cli('fuzz', EXAMPLE, '--runs', '30', '--seed', '3', '--out', b);
    expect(readFileSync(a, 'utf8').replace(a, b)).toBe(readFileSync(b, 'utf8'));
  });

  it('--coverage: the fuzz runs visit more model states and transitions than a plain run of the scenario', () => {
    // A wider fault space than the example's (which mostly repeats the paths a clean rollout takes), and
    // durability as the only invariant, so all 20 schedules are explored rather than stopping at the first.
    const wide = join(tmp, 'wide.yaml');
    writeFileSync(
      wide,
      readFileSync(EXAMPLE, 'utf8')
        .replace(
          'kinds: [powerLoss, isolate, oneWayCut, peerCut]',
          'kinds: [powerLoss, failedBoot, installFails, busyMounts, bootPartitionFull, wipeReboot, etcdRemoveMember]\n  stages: [init, kernel]',
        )
        .replace('  invariants: [quorum]', '  invariants: [durability]'),
    );
    const clean = join(tmp, 'wide-clean.yaml');
    writeFileSync(clean, readFileSync(wide, 'utf8') + 'faults: []\n');
    const plain = cli('run', clean, '--coverage');
    expect(plain.status, plain.stderr).toBe(0);
    const f = cli('fuzz', wide, '--runs', '20', '--coverage');
    expect(f.status, f.stderr).toBe(0);
    expect(f.stdout).toMatch(/^model coverage over 20 run\(s\)$/m);
    const visited = (text: string, machine: string) => {
      const m = new RegExp(`^${machine}: states (\\d+)/(\\d+) .*transitions (\\d+)/(\\d+)`, 'm').exec(text);
      expect(m, text).not.toBeNull();
      return { states: Number(m![1]), allStates: Number(m![2]), transitions: Number(m![3]) };
    };
    for (const machine of ['node', 'etcdService']) {
      const p = visited(plain.stderr, machine);
      const z = visited(f.stdout, machine);
      expect(z.allStates).toBe(p.allStates);
      expect(z.states).toBeGreaterThan(p.states);
      expect(z.transitions).toBeGreaterThan(p.transitions);
    }
    // A power loss is among the fault kinds; the plain run has none.
    expect(plain.stderr).toMatch(/^ {4}node --POWER_LOSS--> node\.off$/m);
    expect(f.stdout).toMatch(/^ {2}node --POWER_LOSS--> node\.off +[1-9]\d*$/m);
  });

  it('exits 0 when no schedule in the space breaks the invariants', () => {
    // Faults only after the rollout (it ends by about 20m): one node down of five at a time.
    const late = join(tmp, 'late.yaml');
    writeFileSync(late, readFileSync(EXAMPLE, 'utf8').replace('window: 5m..40m', 'window: 45m..55m'));
    const f = cli('fuzz', late, '--runs', '10');
    expect(f.status, f.stdout + f.stderr).toBe(0);
    expect(f.stdout).toMatch(/10 fault schedules explored, none broke quorum/);
  });

  it('refuses a scenario without a fuzz: block, and a bad block with file:line:field', () => {
    const none = cli('fuzz', join(process.cwd(), 'scenarios/default.yaml'), '--runs', '5');
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/has no fuzz: block/);
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, readFileSync(EXAMPLE, 'utf8').replace('window: 5m..40m', 'window: 5m..70m'));
    const f = cli('fuzz', bad, '--runs', '5');
    expect(f.status).toBe(2);
    expect(f.stderr).toMatch(/bad\.yaml:\d+.*fuzz\.window.*liveness\.faultsUntil/);
    expect(() => loadScenarioFile(bad)).toThrow(ScenarioError);
  });

  it('rejects unknown kinds and nodes at load time', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    expect(() => parseScenario(text.replace('peerCut]', 'meteor]'), 'k.yaml')).toThrow(/k\.yaml:\d+.*fuzz/);
    expect(() =>
      parseScenario(text.replace('  maxConcurrent: 1', '  nodes: [cp9]\n  maxConcurrent: 1'), 'n.yaml'),
    ).toThrow(/unknown node 'cp9'/);
  });
});

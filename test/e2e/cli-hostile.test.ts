// The command line against hostile input (issue 11): one meaning per exit code, "cannot write X: reason"
// before any work, no stack trace for a user error, escaped names, a seed that reproduces, every bad file
// reported, and nothing left in the temporary folder. Each case spawns the real CLI, so they are few; the
// fuzz suite (test/property/hostile-input.property.test.ts) covers the loader in-process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportError } from '../../sim/cli/errors.js';
import { EXIT } from '../../sim/cli/exit-codes.js';
import { parseSeedArgument, seedArgument } from '../../sim/cli/text.js';

const CLI = join(process.cwd(), 'dist/sim/cli/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'upgradelab-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const SMALL =
  'cluster: { controlPlanes: 1, version: v1.7.6 }\nduration: 20m\nupgrade: { to: v1.8.0, at: 2m }\ninvariants: [bootable]\n';
const STACK = /\n\s+at /;

describe('exit codes, one meaning each', () => {
  it('--help documents every exit code', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    for (const code of Object.values(EXIT)) expect(r.out).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
    expect(r.out).toMatch(/stopped early/);
  });

  it('a run that stops at the event cap is never a PASS and exits 4, with the figures', () => {
    const r = cli('run', 'scenarios/default.yaml', '--max-events', '500');
    expect(r.code).toBe(EXIT.stoppedEarly);
    expect(r.out).toMatch(/stopped early \(max-events\) at .* of 120m00s, after 500 events/);
    expect(r.out).toMatch(/result: STOPPED EARLY/);
    expect(r.out).not.toMatch(/PASS/);
    expect(r.out).toContain('--max-events 500');
  });

  it('an internal error is exit 3 with its stack; a user error is exit 2 without one', () => {
    const bug = reportError(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(bug.code).toBe(EXIT.internal);
    expect(bug.text).toMatch(/internal error/);
    expect(bug.text).toMatch(STACK);
    const r = cli('run', '--max-events', 'lots', 'scenarios/default.yaml');
    expect(r.code).toBe(EXIT.badInput);
    expect(r.err).toMatch(/--max-events must be/);
    expect(r.err).not.toMatch(STACK);
  });

  it('--speed on a scenario without attached nodes is refused, not ignored', () => {
    const r = cli('run', '--speed', '5', 'scenarios/default.yaml');
    expect(r.code).toBe(EXIT.badInput);
    expect(r.err).toMatch(/--speed applies only to scenarios with attach: nodes/);
    expect(r.out).not.toMatch(/result:/);
  });
});

describe('output paths are checked before simulating', () => {
  it('--out under a file, on a directory, or on a full disk: "cannot write X: reason", exit 2', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    for (const out of [join(file, 'x.jsonl'), tmp, '/dev/full']) {
      const r = cli('run', 'scenarios/default.yaml', '--out', out);
      expect(r.code, out).toBe(EXIT.badInput);
      expect(r.err).toContain(`cannot write ${out}: `);
      expect(r.err).not.toMatch(/crashed|internal error/);
      expect(r.err).not.toMatch(STACK);
    }
  });

  it('export --out to a path that cannot be created fails at once', () => {
    const trace = join(tmp, 'small.jsonl');
    const f = join(tmp, 'small.yaml');
    writeFileSync(f, `name: small\n${SMALL}`);
    expect(cli('run', f, '--out', trace).code).toBe(0);
    const t0 = Date.now();
    const r = cli('export', trace, '--out', '/proc/upgradelab-nope/x.json');
    expect(r.code).toBe(EXIT.badInput);
    expect(r.err).toMatch(/cannot write \/proc\/upgradelab-nope\/x\.json: /);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe('traces', () => {
  it('check-trace: a partial trace is not verified (exit 1) and export warns about it', () => {
    const f = join(tmp, 'p.yaml');
    writeFileSync(f, `name: p\n${SMALL}`);
    const full = join(tmp, 'p.jsonl');
    expect(cli('run', f, '--out', full).code).toBe(0);
    expect(cli('check-trace', full).code).toBe(0);
    const lines = readFileSync(full, 'utf8').split('\n');
    const partial = join(tmp, 'partial.jsonl');
    writeFileSync(partial, lines.slice(0, -2).join('\n') + '\n'); // drop the footer
    const c = cli('check-trace', partial);
    expect(c.code).toBe(EXIT.violation);
    expect(c.out).toMatch(/PARTIAL/);
    const e = cli('export', partial, '--out', join(tmp, 'partial.json'));
    expect(e.code).toBe(0);
    expect(e.err).toMatch(/partial trace/);
  });

  it('the path spelling does not change the trace, so not the hash either', () => {
    const a = cli('run', 'scenarios/failed-boot-rollback.yaml', '--json');
    const b = cli('run', './scenarios/../scenarios/failed-boot-rollback.yaml', '--json');
    expect((JSON.parse(a.out) as { hash: string }).hash).toBe((JSON.parse(b.out) as { hash: string }).hash);
  });
});

describe('seeds, names and several files', () => {
  it('a string seed that looks like a number is printed quoted, and that command reproduces it', () => {
    expect(parseSeedArgument(seedArgument('42'))).toBe('42');
    expect(parseSeedArgument(seedArgument(42))).toBe(42);
    expect(parseSeedArgument(seedArgument('"x"'))).toBe('"x"');
    const f = join(tmp, 'naive.yaml');
    writeFileSync(
      f,
      'name: naive\nseed: "42"\ncluster: { controlPlanes: 3, version: v1.7.6 }\nupgrade: { to: v1.8.0, at: 5m, policy: naive }\n',
    );
    const r = cli('run', f, '--json');
    expect(r.code).toBe(EXIT.violation);
    const first = JSON.parse(r.out) as { hash: string; reproduce: string; seed: unknown };
    expect(first.seed).toBe('42');
    expect(first.reproduce).toContain(`--seed '"42"'`);
    const again = cli('run', f, '--seed', '"42"', '--json');
    expect((JSON.parse(again.out) as { hash: string }).hash).toBe(first.hash);
    expect((JSON.parse(cli('run', f, '--seed', '42', '--json').out) as { hash: string }).hash).not.toBe(
      first.hash,
    );
  });

  it('a name with a newline or an ANSI escape is printed escaped and cannot fake a PASS line', () => {
    const f = join(tmp, 'evil.yaml');
    writeFileSync(
      f,
      `name: "x\\nresult: PASS\\u001b[2K"\ncluster: { controlPlanes: 3, version: v1.7.6 }\nupgrade: { to: v1.8.0, at: 5m, policy: naive }\n`,
    );
    const r = cli('run', f);
    expect(r.code).toBe(EXIT.violation);
    expect(r.out).not.toMatch(/^result: PASS/m);
    expect(r.out).not.toContain('\u001b');
    expect(r.out).toContain('x\\nresult: PASS\\u001b[2K');
  });

  it('validate a b c checks every file and reports every failure', () => {
    const bad1 = join(tmp, 'bad1.yaml');
    const bad2 = join(tmp, 'bad2.yaml');
    writeFileSync(bad1, 'name: b\ncluster: { controlPlanes: 0, version: v1.7.6 }\n');
    writeFileSync(bad2, 'name: b\ncluster: *nope\n');
    const r = cli('validate', bad1, 'scenarios/default.yaml', bad2, '/dev/zero');
    expect(r.code).toBe(EXIT.badInput);
    expect(r.out).toContain('scenarios/default.yaml: ok');
    expect(r.err).toContain(`${bad1}:2:`);
    expect(r.err).toContain(`${bad2}:2:`);
    expect(r.err).toMatch(/\/dev\/zero: not a regular file/);
    expect(r.err).not.toMatch(STACK);
  });

  it('run on a trace, a device or a FIFO fails fast', () => {
    const trace = join(tmp, 'p.jsonl');
    expect(cli('run', trace).err).toMatch(/trace, not a scenario/);
    const fifo = join(tmp, 'fifo');
    spawnSync('mkfifo', [fifo]);
    for (const f of ['/dev/zero', '/dev/urandom', fifo]) {
      const r = cli('run', f);
      expect(r.code, f).toBe(EXIT.badInput);
      expect(r.err).toMatch(/not a regular file/);
    }
  });
});

describe('clean-up', () => {
  it('the temporary folder of this file is the only one it made', () => {
    expect(readdirSync(tmp).length).toBeGreaterThan(0);
  });
});

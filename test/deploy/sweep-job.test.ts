// deploy/: the Kubernetes Indexed Job that runs a sweep's shards, the merge Job, and the image they run.
// The manifests are checked against the Kubernetes object schemas (kubernetes-models), and the shard
// commands are run here exactly as the pods run them (same command line, same environment, with
// JOB_COMPLETION_INDEX set as Kubernetes sets it) and merged by the merge Job's command: the result must
// equal one unsharded sweep. Only the seed count, the worker count and the results directory (the
// volume's mount point) are changed, to keep the test short and off the root file system.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1';
import { PersistentVolumeClaim } from 'kubernetes-models/v1';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { SweepReport } from '../../sim/sweep/tally.js';

type Doc = { kind: string; spec: Record<string, unknown> } & Record<string, unknown>;
interface Container {
  command: string[];
  env: { name: string; value: string }[];
  workingDir: string;
  volumeMounts: { mountPath: string }[];
}

function docs(file: string): Doc[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Doc);
}

function container(job: Doc): Container {
  const spec = job.spec as { template: { spec: { containers: Container[] } } };
  return spec.template.spec.containers[0]!;
}

function envOf(c: Container): Record<string, string> {
  return Object.fromEntries(c.env.map((e) => [e.name, e.value]));
}

const ROOT = process.cwd();
const [sweepJob, pvc] = docs('deploy/sweep-job.yaml');
const [mergeJob] = docs('deploy/sweep-merge-job.yaml');

/** Runs a container's command as its pod would: its shell, its environment, its working directory. */
function runPod(c: Container, env: Record<string, string>) {
  // /app in the image is the repository root here; `upgradelab` is on PATH there as here (npm run build).
  expect(c.workingDir).toBe('/app');
  const r = spawnSync(c.command[0]!, c.command.slice(1), {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, ...envOf(c), ...env },
  });
  return { code: r.status, err: r.stderr };
}

/** Every top-level folder whose .ts files the build compiles: the include list and what it imports. */
function compiledFolders(include: string[]): Set<string> {
  const seen = new Set<string>();
  const queue: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) queue.push(resolve(p));
    }
  };
  for (const dir of include) walk(dir);
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    // Static and dynamic imports of relative paths (`from './x.js'`, `import('../y.js')`).
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'));
      if (target.endsWith('.ts') && existsSync(target)) queue.push(target);
    }
  }
  return new Set([...seen].map((f) => relative(ROOT, f).split('/')[0]!));
}

// Tests leave nothing in the temporary folder (issue 11 item 12).
const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});
describe('deploy/sweep-job.yaml', () => {
  it('validates against the Kubernetes object schemas, and a broken manifest does not', () => {
    expect(sweepJob!.kind).toBe('Job');
    expect(pvc!.kind).toBe('PersistentVolumeClaim');
    expect(() => new Job(sweepJob as never).validate()).not.toThrow();
    expect(() => new Job(mergeJob as never).validate()).not.toThrow();
    expect(() => new PersistentVolumeClaim(pvc as never).validate()).not.toThrow();
    // Canary: the validator does reject a wrong manifest.
    const broken = structuredClone(sweepJob!);
    (broken.spec as { completions: unknown }).completions = 'four';
    expect(() => new Job(broken as never).validate()).toThrow();
  });

  it('is an Indexed Job whose SHARDS match its completions, mounting the results volume', () => {
    const spec = sweepJob!.spec as { completionMode: string; completions: number };
    expect(spec.completionMode).toBe('Indexed');
    const c = container(sweepJob!);
    expect(Number(envOf(c).SHARDS)).toBe(spec.completions);
    expect(Number(envOf(container(mergeJob!)).SHARDS)).toBe(spec.completions);
    expect(c.volumeMounts[0]!.mountPath).toBe(envOf(c).RESULTS_DIR);
    expect(c.command.join(' ')).toContain('--shard "$JOB_COMPLETION_INDEX/$SHARDS"');
  });

  it('the pods shard commands plus the merge step give exactly the unsharded sweep', () => {
    const results = mkdtempSync(join(tmpdir(), 'upgradelab-job-'));
    cleanup.push(results);
    const small = { SEEDS: '1..4', WORKERS: '1', RESULTS_DIR: results };
    const shards = Number(envOf(container(sweepJob!)).SHARDS);
    for (let i = 0; i < shards; i++) {
      const pod = runPod(container(sweepJob!), { ...small, JOB_COMPLETION_INDEX: String(i) });
      expect(pod.code, pod.err).toBe(0);
    }
    const merge = runPod(container(mergeJob!), { RESULTS_DIR: results });
    expect(merge.code, merge.err).toBe(0);
    const merged = JSON.parse(readFileSync(join(results, 'sweep.json'), 'utf8')) as SweepReport;
    const scenario = envOf(container(sweepJob!)).SCENARIO!;
    const whole = spawnSync(
      process.execPath,
      ['dist/sim/cli/main.js', 'sweep', scenario, '--seeds', '1..4', '--workers', '2', '--json'],
      { encoding: 'utf8' },
    );
    const unsharded = JSON.parse(whole.stdout) as SweepReport;
    expect(merged.runs).toBe(4);
    expect({ ...merged, timing: null }).toEqual({ ...unsharded, timing: null });
  }, 300_000); // five short processes of the default scenario; minutes only on a crowded machine

  it('a shard that finds failing seeds completes, and so does the merge; a broken sweep fails the pod', () => {
    // Failing seeds are the result (exit 1 mapped to 0); bad input or a crash (exit 2, 3) must fail the
    // pod so Kubernetes retries it and the merge refuses the missing shard. Same commands, another scenario.
    const results = mkdtempSync(join(tmpdir(), 'upgradelab-job-'));
    cleanup.push(results);
    const failing = {
      SCENARIO: 'test/fixtures/sweep-small.yaml',
      SEEDS: '1..4',
      WORKERS: '1',
      RESULTS_DIR: results,
    };
    const shards = Number(envOf(container(sweepJob!)).SHARDS);
    for (let i = 0; i < shards; i++) {
      const pod = runPod(container(sweepJob!), { ...failing, JOB_COMPLETION_INDEX: String(i) });
      expect(pod.code, pod.err).toBe(0);
    }
    const merge = runPod(container(mergeJob!), { RESULTS_DIR: results });
    expect(merge.code, merge.err).toBe(0);
    const merged = JSON.parse(readFileSync(join(results, 'sweep.json'), 'utf8')) as SweepReport;
    expect(merged.runs).toBe(4);
    expect(merged.failing.k).toBeGreaterThan(0);
    const broken = runPod(container(sweepJob!), {
      ...failing,
      SCENARIO: 'test/fixtures/no-such-scenario.yaml',
      JOB_COMPLETION_INDEX: '0',
    });
    expect(broken.code).not.toBe(0);
  }, 300_000);
});

describe('deploy/Dockerfile', () => {
  it('copies every source folder the build compiles and puts the built CLI on PATH', () => {
    const dockerfile = readFileSync('deploy/Dockerfile', 'utf8');
    const build = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { include: string[] };
    for (const dir of build.include) expect(dockerfile).toMatch(new RegExp(`^COPY ${dir} ${dir}$`, 'm'));
    // The build compiles what those folders import too (bench/ reuses test/property/ and test/helpers/):
    // a folder the image lacks fails `npm run build` inside `docker build`.
    const folders = compiledFolders(build.include);
    for (const dir of folders) expect(dockerfile).toMatch(new RegExp(`^COPY ${dir} ${dir}$`, 'm'));
    // Every repository file the build script names (tsconfig, bundler config) must be in the image too.
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      bin: Record<string, string>;
      scripts: { build: string };
    };
    const named = pkg.scripts.build.split(/\s+/).filter((w) => /^[\w.-]+\.(json|mjs|cjs|js|ts)$/.test(w));
    const copied = dockerfile
      .split('\n')
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const f of named.filter((w) => existsSync(w))) expect(copied, `${f} (scripts.build)`).toContain(f);
    const bin = pkg.bin;
    expect(dockerfile).toContain(`ln -s /app/${bin.upgradelab} /usr/local/bin/upgradelab`);
    expect(dockerfile).toMatch(/^COPY scenarios scenarios$/m);
  });
});

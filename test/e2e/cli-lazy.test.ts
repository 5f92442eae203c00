// Start-up of the command line (issue 8): `run` and `validate` must not load what only other commands use.
// gRPC and protobufjs (serve, upgrade, agent: ~430 CommonJS files), piscina and cli-progress (sweep) and
// fast-check (fuzz) once made up most of a short run's start-up. NODE_DEBUG=module makes Node's CommonJS
// loader name every file it loads, which is where all of these come in (they are CommonJS packages).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(process.cwd(), 'dist/sim/cli/main.js');
const HEAVY = ['@grpc/grpc-js', 'protobufjs', 'piscina', 'cli-progress', 'fast-check', 'playwright-core'];

function loadedPackages(...args: string[]): { code: number | null; loaded: Set<string>; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_DEBUG: 'module' },
  });
  const loaded = new Set<string>();
  for (const m of r.stderr.matchAll(/node_modules\/((?:@[^/]+\/)?[^/"]+)/g)) loaded.add(m[1]!);
  return { code: r.status, loaded, out: r.stdout };
}

describe('CLI start-up loads only what the command needs', () => {
  it.each([['run'], ['validate']])('%s loads none of the other commands’ packages', (cmd) => {
    const r = loadedPackages(cmd, 'scenarios/default.yaml');
    expect(r.code).toBe(0);
    // The probe itself works: the packages a run does need show up.
    expect(r.loaded).toContain('yaml');
    for (const pkg of HEAVY) expect(r.loaded, pkg).not.toContain(pkg);
  });

  it('a lazily loaded command still gets its packages, and help still lists every command', () => {
    const r = loadedPackages('serve', '--help');
    expect(r.code).toBe(0);
    expect(r.loaded).toContain('@grpc/grpc-js');
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    for (const c of [
      'run',
      'validate',
      'viz',
      'serve',
      'sweep',
      'merge',
      'upgrade',
      'agent',
      'cluster',
      'shrink',
      'fuzz',
    ])
      expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });
});

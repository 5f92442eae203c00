// Start-up of the command line (issue 8): `run` and `validate` must not load what only other commands use,
// and the built CLI is a bundle (rolldown.config.mjs): a run reads a handful of bundle chunks, not 74
// modules of ours and 101 files of yaml, commander, xstate and seedrandom. gRPC and protobufjs (serve,
// upgrade, agent: ~430 CommonJS files), piscina and cli-progress (sweep) and fast-check (fuzz) once made up
// most of a short run's start-up. NODE_DEBUG=module,esm makes Node's loaders name every file they load.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(process.cwd(), 'dist/sim/cli/main.js');
const HEAVY = ['@grpc/grpc-js', 'protobufjs', 'piscina', 'cli-progress', 'fast-check', 'playwright-core'];
/** A plain run's files: main.js, the chunks it imports statically and an ajv runtime helper. */
const RUN_FILES_MAX = 25;

interface Loaded {
  code: number | null;
  /** Packages loaded from node_modules. */
  packages: Set<string>;
  /** Every file (not built-in) either loader read. */
  files: Set<string>;
  out: string;
}

function loaded(...args: string[]): Loaded {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_DEBUG: 'module,esm' },
  });
  const packages = new Set<string>();
  for (const m of r.stderr.matchAll(/node_modules\/((?:@[^/]+\/)?[^/"]+)/g)) packages.add(m[1]!);
  const files = new Set<string>();
  // The ES module loader stores each file once; the CommonJS loader says `load "<path>"`.
  for (const m of r.stderr.matchAll(/Storing file:\/\/(\S+) /g)) files.add(m[1]!);
  for (const m of r.stderr.matchAll(/load "(\/[^"]+)"/g)) files.add(m[1]!);
  return { code: r.status, packages, files, out: r.stdout };
}

describe('CLI start-up loads only what the command needs', () => {
  it.each([['run'], ['validate']])(
    '%s reads only bundle chunks, none of the other commands’ packages',
    (cmd) => {
      const r = loaded(cmd, 'scenarios/default.yaml');
      expect(r.code).toBe(0);
      // The probe itself works: it sees the entry point, and the ajv runtime helper that only the generated
      // validator requires (it is read with its code cache through vm.Script, not by a loader).
      const ajvRuntime = join(process.cwd(), 'node_modules/ajv/dist/runtime/');
      expect(r.files).toContain(CLI);
      expect([...r.files].some((f) => f.startsWith(ajvRuntime))).toBe(true);
      for (const pkg of HEAVY) expect(r.packages, pkg).not.toContain(pkg);
      // yaml, commander, xstate and seedrandom are in the bundle, and the precompiled validator matched, so
      // nothing else comes from node_modules but the one ajv runtime helper the generated code requires:
      // not ajv's compiler.
      const bundle = join(process.cwd(), 'dist/sim/cli/');
      for (const f of r.files) expect(f.startsWith(bundle) || f.startsWith(ajvRuntime), f).toBe(true);
      expect(r.files.size).toBeLessThanOrEqual(RUN_FILES_MAX);
    },
  );

  it('a lazily loaded command still gets its packages, and help still lists every command', () => {
    const r = loaded('serve', '--help');
    expect(r.code).toBe(0);
    expect(r.packages).toContain('@grpc/grpc-js');
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

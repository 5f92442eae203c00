// Bundles the CLI (issue 8: start-up was most of a short `run`, spent loading 74 of our ES modules and
// 101 files of yaml, commander, xstate and seedrandom). `npm run build` runs it after tsc; it writes the
// bundle over tsc's dist/sim/cli/main.js, so every path that names the CLI (bin, npm start, the lab's
// agents, the Dockerfile, the tests) runs the bundle. Every chunk lands in dist/sim/cli/ beside main.js,
// so the `import.meta.url`-relative paths keep resolving as they do from the unbundled file there:
// ./main.js (agents re-run the CLI), ./worker.js (the sweep's piscina worker, a second entry),
// ../../viz/ (the built viewer), the generated validator and its code cache (copied beside the chunks,
// below) and proto/ (searched upwards). The lazily imported commands stay separate chunks, and every module of ours is in
// the bundle exactly once, so classes such as ScenarioError have one identity (`instanceof` holds).
// The library entry points (dist/sim/index.js, dist/sim/testing/) stay tsc's unbundled output.
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'rolldown';

const OUT_DIR = 'dist/sim/cli';
const CHUNK_PREFIX = 'chunk-';
// Written by the build's previous step (sim/scenario/precompiled.ts, writeValidator): the validator and
// V8's code cache of it.
const VALIDATOR_FILES = ['scenario-validator.generated.cjs', 'scenario-validator.generated.cache'];

/**
 * Packages left to Node's resolver at run time. piscina loads its own worker file by path, gRPC and
 * protobufjs load .proto files and optional modules dynamically, ajv is required through createRequire
 * (only when no precompiled validator matches), and fast-check and cli-progress are needed only by
 * lazily imported commands. None of them is on a plain `run`'s path. @xstate/graph is bundled: left out,
 * it would load a second xstate beside the bundled one.
 */
const EXTERNAL = ['@grpc/grpc-js', '@grpc/proto-loader', 'ajv', 'cli-progress', 'fast-check', 'piscina'];

/** Chunk names carry a content hash: the previous build's chunks would pile up beside the new ones. */
const cleanOldChunks = {
  name: 'upgradelab-clean-old-chunks',
  buildStart() {
    for (const f of readdirSync(OUT_DIR)) if (f.startsWith(CHUNK_PREFIX)) rmSync(join(OUT_DIR, f));
  },
};

/** The chunk holding sim/scenario/precompiled.ts loads the validator from its own folder. */
const copyValidator = {
  name: 'upgradelab-copy-validator',
  writeBundle() {
    for (const f of VALIDATOR_FILES) copyFileSync(join('dist/sim/scenario', f), join(OUT_DIR, f));
  },
};

export default defineConfig({
  input: { main: 'sim/cli/main.ts', worker: 'sim/sweep/worker.ts' },
  platform: 'node',
  // Our sources import './x.js' for './x.ts' (NodeNext); the bundler reads the .ts files.
  resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
  transform: { target: 'node20' },
  external: (id) => id.startsWith('node:') || EXTERNAL.some((p) => id === p || id.startsWith(`${p}/`)),
  plugins: [cleanOldChunks, copyValidator],
  output: {
    dir: OUT_DIR,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: `${CHUNK_PREFIX}[name]-[hash].js`,
    sourcemap: true,
  },
});

// Builds the viewer into dist/viz (shipped with the package beside dist/sim, so `upgradelab viz` works from
// an installed package). Relative asset paths let the CLI serve it from any URL prefix.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/viz', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1000,
  },
  worker: { format: 'es' },
});

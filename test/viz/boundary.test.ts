// viz/ reads trace files and imports only the *types* of the trace format (sim/trace/types.ts), never the
// simulator (STYLE.md habit 1). The lint rule in eslint.config.js says the same; this test keeps the rule
// honest even if the lint config changes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? tsFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

/** Import/export-from statements that leave viz/src, other than `import type` of sim/trace/types.js. */
export function forbiddenImports(source: string): string[] {
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) {
    const spec = m[3]!;
    const isType = m[2] !== undefined;
    const leaves = spec.startsWith('../../') || spec.startsWith('node:');
    if (!leaves) continue;
    if (isType && /\/sim\/trace\/types\.js$/.test(spec)) continue;
    out.push(m[0].trim());
  }
  // Dynamic imports and type-position imports (`import('...')`) must stay inside viz/ too.
  for (const m of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    if (m[1]!.startsWith('../../') || m[1]!.startsWith('node:')) out.push(m[0]);
  }
  return out;
}

describe('viz/ dependency boundary', () => {
  it('catches a value import of the simulator (canary)', () => {
    expect(forbiddenImports("import { readTrace } from '../../../sim/trace/reader.js';")).toHaveLength(1);
    expect(forbiddenImports("import { TRACE_VERSION } from '../../../sim/trace/types.js';")).toHaveLength(1);
    expect(forbiddenImports("import { readFileSync } from 'node:fs';")).toHaveLength(1);
    expect(forbiddenImports("import type { TraceHeader } from '../../../sim/trace/types.js';")).toEqual([]);
  });

  it('viz/src imports only types from sim/trace/types.ts', () => {
    const files = tsFiles('viz/src');
    expect(files.length).toBeGreaterThan(10);
    const bad = files.flatMap((f) => forbiddenImports(readFileSync(f, 'utf8')).map((s) => `${f}: ${s}`));
    expect(bad).toEqual([]);
  });
});

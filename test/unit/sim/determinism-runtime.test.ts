// Determinism enforced at run time (the lint rule enforces it statically): every bundled and regression
// scenario runs with Math.random, Date, performance.now, process clocks, timers and the crypto random
// functions made to throw. A run is synchronous, so the traps are armed only around the simulate() call.
// The run must complete and give the same trace hash as an unguarded run; a canary that reads the clock
// from inside a run must be caught.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../sim/scenario/load.js';
import { simulate, type SimulateOptions } from '../../../sim/simulate.js';
import type { Scenario } from '../../../sim/scenario/types.js';

const require = createRequire(import.meta.url);
const nodeCrypto = require('node:crypto') as Record<string, unknown>;

class NondeterminismError extends Error {}
const trap = (what: string) => () => {
  throw new NondeterminismError(`${what} was called during a simulated run`);
};

/**
 * The one documented exception: XState's system scheduler stamps every delayed event with
 * `startedAt: Date.now()` (xstate 5 \`createSystem\`, used only to persist and restore snapshots, which
 * runs never do; the delay itself goes through our virtual clock). Calls from there are let through
 * and counted; a Date.now from anywhere else, the models included, still throws.
 */
let xstateStamps = 0;
const RealDateNow = Date.now.bind(Date);
function dateNowTrap(): number {
  const stack = new Error().stack ?? '';
  const caller = stack.split('\n')[2] ?? '';
  if (/node_modules\/xstate\//.test(caller) && /schedule/.test(caller)) {
    xstateStamps++;
    return RealDateNow();
  }
  return trap('Date.now')();
}

/** Run fn with every source of hidden nondeterminism made to throw; restore them afterwards. */
function guarded<T>(fn: () => T): T {
  const g = globalThis as unknown as Record<string, unknown>;
  // Some of these are accessors on their objects (node:crypto's getRandomValues): swap descriptors.
  const saved: [object, string, PropertyDescriptor | undefined][] = [];
  const swap = (obj: object, key: string, value: unknown) => {
    saved.push([obj, key, Object.getOwnPropertyDescriptor(obj, key)]);
    Object.defineProperty(obj, key, { value, configurable: true, writable: true, enumerable: true });
  };
  const RealDate = Date;
  const FakeDate = new Proxy(RealDate, {
    construct: trap('new Date()'),
    apply: trap('Date()'),
    get: (t, p, r) => (p === 'now' ? dateNowTrap : Reflect.get(t, p, r)),
  });
  swap(g, 'Date', FakeDate);
  swap(Math, 'random', trap('Math.random'));
  swap(performance, 'now', trap('performance.now'));
  for (const t of ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']) swap(g, t, trap(t));
  const proc = process as unknown as Record<string, unknown>;
  swap(proc, 'uptime', trap('process.uptime'));
  const hr = trap('process.hrtime') as unknown as Record<string, unknown>;
  hr.bigint = trap('process.hrtime.bigint');
  swap(proc, 'hrtime', hr);
  const webCrypto = globalThis.crypto;
  swap(webCrypto, 'randomUUID', trap('crypto.randomUUID'));
  swap(webCrypto, 'getRandomValues', trap('crypto.getRandomValues'));
  // node:crypto's getRandomValues is not configurable; it forwards to the Web Crypto one trapped above.
  for (const f of ['randomBytes', 'randomUUID', 'randomInt', 'randomFillSync'])
    swap(nodeCrypto, f, trap(`crypto.${f}`));
  syncBuiltinESMExports();
  try {
    return fn();
  } finally {
    for (const [obj, key, d] of saved.reverse()) {
      if (d) Object.defineProperty(obj, key, d);
      else delete (obj as Record<string, unknown>)[key];
    }
    syncBuiltinESMExports();
  }
}

const quiet: SimulateOptions = { sink: { write() {}, close() {} } };
const FILES = [
  ...readdirSync('scenarios')
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join('scenarios', f)),
  ...readdirSync('scenarios/regression')
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join('scenarios/regression', f)),
].sort();

describe('determinism at run time', () => {
  it.each(FILES)('%s runs with clocks, randomness and timers trapped, and gives the same hash', (file) => {
    const s: Scenario = loadScenarioFile(file);
    const free = simulate(s, quiet);
    const trapped = guarded(() => simulate(s, quiet));
    expect(trapped.footer.hash).toBe(free.footer.hash);
  });

  it('canary: a run that reads the wall clock is caught', () => {
    const s = loadScenarioFile('scenarios/default.yaml');
    const sneaky: SimulateOptions = {
      ...quiet,
      mutateWorld: (world) => {
        world.scheduler.after(60_000, () => {
          void Date.now();
        });
      },
    };
    expect(() => guarded(() => simulate(s, sneaky))).toThrow(/Date.now was called during a simulated run/);
  });

  it('canary: a run that draws from Math.random or node:crypto is caught', () => {
    const s = loadScenarioFile('scenarios/default.yaml');
    const viaMath: SimulateOptions = {
      ...quiet,
      mutateWorld: (w) => w.scheduler.after(1, () => void Math.random()),
    };
    expect(() => guarded(() => simulate(s, viaMath))).toThrow(/Math.random/);
    const viaCrypto: SimulateOptions = {
      ...quiet,
      mutateWorld: (w) =>
        w.scheduler.after(1, () => void (nodeCrypto.randomBytes as (n: number) => Buffer)(4)),
    };
    expect(() => guarded(() => simulate(s, viaCrypto))).toThrow(/crypto.randomBytes/);
  });

  it('the only calls let through are XState stamping delayed events', () => {
    const before = xstateStamps;
    guarded(() => simulate(loadScenarioFile('scenarios/failed-boot-rollback.yaml'), quiet));
    // The exception is real (so the allowance is needed) and bounded to that one call site.
    expect(xstateStamps).toBeGreaterThan(before);
  });

  it('the traps are lifted afterwards', () => {
    guarded(() => 0);
    expect(typeof Date.now()).toBe('number');
    expect(Math.random()).toBeLessThan(1);
  });
});

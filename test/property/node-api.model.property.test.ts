// Model-based test of the node API (fc.commands): random sequences of upgrade, rollback, reboot, power
// off/on, wipe, isolate/heal and failNextBoot against a small reference model of the A/B slots written
// from FACTS.md section 2 (not from models/), for every bootloader profile. After each command the world
// runs until the node has settled, and the node's running version, its default slot's version and the
// versions held by its slots must be the reference's. The node under test is a worker (no etcd), so the
// slots alone decide what it boots.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApiResult } from '../../sim/api/node-api.js';
import { SimulatedNodeApi } from '../../sim/cluster/sim-api.js';
import { World } from '../../sim/cluster/world.js';
import { Rng } from '../../sim/engine/rng.js';
import { Scheduler } from '../../sim/engine/scheduler.js';
import { FaultRegistry } from '../../sim/faults/registry.js';
import type { TraceEventBody } from '../../sim/trace/types.js';
import { scenario } from '../helpers/scenario.js';

const NODE = 'w1';
const START = 'v1.8.0';
const TARGETS = ['v1.8.1', 'v1.8.2'] as const;
const SETTLE_MS = 20 * 60_000;

type Slot = 'A' | 'B';
type Bootloader = 'talos' | 'sd-boot' | 'grub-tentative' | 'boot-counting';

/** The reference: FACTS §2 in a few lines. */
interface Ref {
  bootloader: Bootloader;
  slots: Record<Slot, string | null>;
  default: Slot;
  /** The previous slot, when known (an upgrade sets it; F§2 says nothing of it after a rollback). */
  fallback: Slot | null | 'unknown';
  running: string | null;
  on: boolean;
  isolated: boolean;
  /** One-shot boot failures armed by failNextBoot: image version -> stage. */
  armed: Map<string, 'init' | 'kernel'>;
}

const other = (s: Slot): Slot => (s === 'A' ? 'B' : 'A');

/** Boot the default slot through the reference's rules; returns the version that ends up running. */
function bootNew(ref: Ref, previous: Slot): void {
  const v = ref.slots[ref.default]!;
  const stage = ref.armed.get(v);
  ref.armed.delete(v);
  // F§2: a failed boot sequence (init) reverts to the previous slot on talos and sd-boot (software,
  // META tag 6), and on grub-tentative (tentative flag: one try); boot-counting tries the entry again,
  // and the fault was one-shot. A kernel panic is not covered by Talos (talos, sd-boot boot the same entry
  // again); grub-tentative catches it with its flag; boot-counting retries.
  const reverts =
    (stage === 'init' && ref.bootloader !== 'boot-counting') ||
    (stage === 'kernel' && ref.bootloader === 'grub-tentative');
  if (reverts) ref.default = previous;
  ref.running = ref.slots[ref.default];
}

interface Real {
  api: SimulatedNodeApi;
  world: World;
  settle(): void;
  call(fn: (reply: (r: ApiResult<string>) => void) => void): ApiResult<string>;
}

function lab(bootloader: Bootloader): Real {
  const s = scenario(
    `name: model\nprofile: talos-1.8\nbootloader: ${bootloader}\n` +
      `cluster: { controlPlanes: 1, workers: 1, version: ${START} }\nworkload: { etcdWritesPerSecond: 0 }\n`,
  );
  const scheduler = new Scheduler();
  const rng = new Rng(5);
  const record = (e: TraceEventBody) => {
    if (e.type === 'node.ready') registry.noteReady(e.node);
  };
  const world = new World(s, scheduler, rng, record);
  const registry = new FaultRegistry(record);
  const api = new SimulatedNodeApi(world, rng.stream('network'), {
    world,
    scheduler,
    trace: record,
    registry,
  });
  world.powerOnAll();
  const settle = () =>
    scheduler.run({ maxEvents: 2_000_000, maxTimeMs: scheduler.now + SETTLE_MS }, () => world.settle());
  settle();
  const call = (fn: (reply: (r: ApiResult<string>) => void) => void): ApiResult<string> => {
    let result: ApiResult<string> | null = null;
    fn((r) => (result = r));
    settle();
    if (!result) throw new Error('no reply within the settle time');
    return result;
  };
  return { api, world, settle, call };
}

function observe(real: Real) {
  const c = real.world.nodeContext(NODE);
  const d = c.disk;
  return {
    running: real.world.node(NODE).state === 'running' ? c.version : null,
    defaultVersion: d.boot[d.bootloader.default]?.version ?? null,
    slots: [d.boot.A?.version ?? null, d.boot.B?.version ?? null].sort(),
  };
}

function expected(ref: Ref) {
  return {
    running: ref.on ? ref.running : null,
    defaultVersion: ref.slots[ref.default],
    slots: [ref.slots.A, ref.slots.B].sort(),
  };
}

type Cmd = fc.Command<Ref, Real>;

const check = (ref: Ref, real: Real) => expect(observe(real)).toEqual(expected(ref));

class Upgrade implements Cmd {
  constructor(readonly version: string) {}
  check = (ref: Readonly<Ref>) => ref.on && !ref.isolated;
  run(ref: Ref, real: Real): void {
    const r = real.call((reply) =>
      real.api.upgrade(
        NODE,
        { image: this.version, preserve: true, stage: false, force: false, rebootMode: 'kexec' },
        reply,
      ),
    );
    expect(r.ok, JSON.stringify(r)).toBe(true);
    // F§2: write the inactive slot, default := it, fallback := the current one, then reboot into it.
    const current = ref.default;
    const target = other(current);
    ref.slots[target] = this.version;
    ref.default = target;
    ref.fallback = current;
    // sd-boot: UKIs are files named after their version, and the booted one becomes the fallback only
    // if its version differs (F§2): the same version again leaves a single UKI.
    if (ref.bootloader === 'sd-boot' && ref.slots[current] === this.version) {
      ref.slots[current] = null;
      ref.fallback = null;
    }
    bootNew(ref, current);
    check(ref, real);
  }
  toString = () => `upgrade(${this.version})`;
}

class Rollback implements Cmd {
  check = (ref: Readonly<Ref>) =>
    ref.on &&
    !ref.isolated &&
    ref.fallback !== null &&
    ref.fallback !== 'unknown' &&
    ref.slots[ref.fallback] !== null;
  run(ref: Ref, real: Real): void {
    const r = real.call((reply) => real.api.rollback(NODE, reply));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    // F§2: revert the bootloader to the previous slot and reboot.
    ref.default = ref.fallback as Slot;
    ref.fallback = 'unknown';
    ref.running = ref.slots[ref.default];
    check(ref, real);
  }
  toString = () => 'rollback';
}

class Reboot implements Cmd {
  constructor(readonly mode: 'kexec' | 'powercycle') {}
  check = (ref: Readonly<Ref>) => ref.on && !ref.isolated;
  run(ref: Ref, real: Real): void {
    const r = real.call((reply) => real.api.reboot(NODE, this.mode, reply));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    // The default slot boots again (armed faults only target images on no slot, so none fires).
    check(ref, real);
  }
  toString = () => `reboot(${this.mode})`;
}

class PowerCycle implements Cmd {
  check = () => true;
  run(ref: Ref, real: Real): void {
    expect(real.call((reply) => real.api.powerOff(NODE, reply)).ok).toBe(true);
    ref.on = false;
    check(ref, real);
    expect(real.call((reply) => real.api.powerOn(NODE, reply)).ok).toBe(true);
    ref.on = true;
    ref.running = ref.slots[ref.default];
    check(ref, real);
  }
  toString = () => 'powerOff+powerOn';
}

class Wipe implements Cmd {
  constructor(readonly label: 'EPHEMERAL' | 'META') {}
  check = () => true;
  run(ref: Ref, real: Real): void {
    expect(real.call((reply) => real.api.wipe(NODE, this.label, reply)).ok).toBe(true);
    // Neither label holds a slot or the bootloader's default (F§1): what boots does not change.
    check(ref, real);
  }
  toString = () => `wipe(${this.label})`;
}

class Isolate implements Cmd {
  constructor(readonly on: boolean) {}
  check = (ref: Readonly<Ref>) => ref.isolated !== this.on;
  run(ref: Ref, real: Real): void {
    const r = real.call((reply) => (this.on ? real.api.isolate(NODE, reply) : real.api.heal(NODE, reply)));
    expect(r.ok).toBe(true);
    ref.isolated = this.on;
    check(ref, real);
  }
  toString = () => (this.on ? 'isolate' : 'heal');
}

class FailNextBoot implements Cmd {
  constructor(
    readonly version: string,
    readonly stage: 'init' | 'kernel',
  ) {}
  // Only images on no slot yet (the fault waits for the upgrade that installs it), and one armed fault
  // per image: the reference does not model several failures of one image in a row.
  check = (ref: Readonly<Ref>) =>
    ref.slots.A !== this.version && ref.slots.B !== this.version && !ref.armed.has(this.version);
  run(ref: Ref, real: Real): void {
    expect(real.call((reply) => real.api.failNextBoot(NODE, this.version, this.stage, reply)).ok).toBe(true);
    ref.armed.set(this.version, this.stage);
    check(ref, real);
  }
  toString = () => `failNextBoot(${this.version}, ${this.stage})`;
}

const commands = [
  fc.constantFrom(...TARGETS).map((v) => new Upgrade(v)),
  fc.constant(new Rollback()),
  fc.constantFrom('kexec' as const, 'powercycle' as const).map((m) => new Reboot(m)),
  fc.constant(new PowerCycle()),
  fc.constantFrom('EPHEMERAL' as const, 'META' as const).map((l) => new Wipe(l)),
  fc.boolean().map((b) => new Isolate(b)),
  fc
    .tuple(fc.constantFrom(...TARGETS), fc.constantFrom('init' as const, 'kernel' as const))
    .map(([v, s]) => new FailNextBoot(v, s)),
];

describe('node API against a reference model of the A/B slots (F§2)', () => {
  for (const bootloader of ['talos', 'sd-boot', 'grub-tentative', 'boot-counting'] as const) {
    it(
      `${bootloader}: every command sequence leaves the slots and the running version as F§2 says`,
      { timeout: 240_000 },
      () => {
        fc.assert(
          fc.property(fc.commands(commands, { maxCommands: 12, size: 'max' }), (cmds) => {
            const ref: Ref = {
              bootloader,
              slots: { A: START, B: null },
              default: 'A',
              fallback: null,
              running: START,
              on: true,
              isolated: false,
              armed: new Map(),
            };
            fc.modelRun(() => ({ model: ref, real: lab(bootloader) }), cmds);
          }),
          { seed: 20261129, numRuns: 40 },
        );
      },
    );
  }
});

// The regression library: every scenario in scenarios/regression/ reproduces a field failure (or shows
// its fix) and carries an `expect:` block; this suite runs each one and asserts every expectation. A
// second part makes deliberately wrong model changes and checks that the library notices.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { emit, enqueueActions } from 'xstate';
import { etcdServiceMachine } from '../../models/etcd-service.js';
import { nodeMachine } from '../../models/node.js';
import { expectationWatcher, type ExpectationResult } from '../../sim/expect.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';
import { simulate, type SimulateOptions } from '../../sim/simulate.js';

const DIR = 'scenarios/regression';
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** Run a regression scenario and return its expectation results. */
function check(file: string, options: SimulateOptions = {}): ExpectationResult[] {
  const s = loadScenarioFile(join(DIR, file));
  if (!s.expect) throw new Error(`${file} has no expect: block`);
  const w = expectationWatcher(s.expect);
  // XState (development build, which vitest loads) warns instead of throwing when an event reaches a stopped
  // actor: in a run that is a wiring bug (an answer to a node or etcd service that no longer runs), so the
  // library fails on any warning rather than printing it.
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    const r = simulate(s, {
      ...options,
      checkpoints: false,
      sink: { write() {}, close() {} },
      onEvent: w.onEvent,
    });
    expect(
      warn.mock.calls.map((c) => String(c[0])),
      `${file}: console.warn during the run`,
    ).toEqual([]);
    return w.check(r);
  } finally {
    warn.mockRestore();
  }
}

function unmet(results: ExpectationResult[]): string[] {
  return results.filter((e) => !e.met).map((e) => `${e.what} — ${e.actual}`);
}

describe('regression library (scenarios/regression)', () => {
  it('holds a reproduction of every field failure in FACTS.md section 5, each with a fixed counterpart', () => {
    const issues = [
      't1768',
      't5794',
      't7423',
      't9153',
      't9789',
      't13710',
      't10364',
      't12551',
      't9307',
      't7889',
      't11909',
    ];
    for (const issue of issues) {
      expect(
        FILES.some((f) => f.startsWith(`${issue}-`) && !f.includes('-fixed-')),
        issue,
      ).toBe(true);
    }
    // T#9153 shares T#7423's fix (1.8 does not leave etcd); every other issue has its own.
    for (const issue of issues.filter((i) => i !== 't9153')) {
      expect(
        FILES.some((f) => f.startsWith(`${issue}-fixed-`)),
        `${issue} fixed counterpart`,
      ).toBe(true);
    }
  });

  it.each(FILES)('%s starts with a header saying what happened and which model rule produces it', (file) => {
    const text = readFileSync(join(DIR, file), 'utf8');
    // A field failure (T#...), a FACTS.md rule (F§n) or a model bug found in a run, named in the first line.
    expect(/^# (T#\d+|F§|Model bug: )/.test(text)).toBe(true);
    const header = text.split('\n').filter((l) => l.startsWith('#'));
    expect(header.length).toBeGreaterThanOrEqual(2);
  });

  it.each(FILES)('%s meets every expectation', (file) => {
    const results = check(file);
    expect(results.length).toBeGreaterThan(0);
    expect(unmet(results)).toEqual([]);
  });
});

describe('mutation: deliberately wrong models turn the library red', () => {
  it('without the strict reconfiguration check, T#1768 no longer reproduces (the lone member can leave)', () => {
    expect(unmet(check('t1768-single-cp-leave-fails.yaml'))).toEqual([]);
    const bad = unmet(
      check('t1768-single-cp-leave-fails.yaml', { etcdOptions: { strictReconfigCheck: false } }),
    );
    expect(bad.some((m) => m.includes('leave-failed'))).toBe(true);
  });

  it('with two learners allowed, T#13710 no longer reproduces ("too many learner members")', () => {
    const bad = unmet(
      check('t13710-learner-stuck-too-many-learners.yaml', { etcdOptions: { maxLearners: 2 } }),
    );
    expect(bad.some((m) => m.includes('too many learner members'))).toBe(true);
  });

  it('dropping the learner step (rejoining nodes added straight as voters) breaks T#5794 and T#13710', () => {
    // A wrong join: the rejoining node is added straight as a voter, as if the learner step did not exist.
    const noLearner = etcdServiceMachine.provide({ actions: { requestJoin: emit({ type: 'addVoter' }) } });
    const opts: SimulateOptions = { etcdServiceMachine: noLearner };
    expect(unmet(check('t5794-learner-hangs.yaml', opts)).some((m) => m.includes('learner'))).toBe(true);
    expect(unmet(check('t13710-learner-stuck-too-many-learners.yaml', opts)).length).toBeGreaterThan(0);
  });

  it('an add that needs peers connected now rather than for 5 s lets the rejoin through too early (F§4)', () => {
    const file = 'rejoin-add-refused-until-peers-connected-5s.yaml';
    const bad = unmet(check(file, { etcdOptions: { healthIntervalMs: 0 } }));
    expect(bad.some((m) => m.includes('added') && m.includes('never happens'))).toBe(true);
  });

  it('an Upgrade handler that does not refuse a failed image pull breaks the refused-pull scenarios', () => {
    // The wrong model: the pull failure is ignored and the request goes on into the sequence (F§3).
    const pullIgnored = nodeMachine.provide({ guards: { imagePullFails: () => false } });
    const bad = unmet(check('refused-image-pull-touches-nothing.yaml', { nodeMachine: pullIgnored }));
    expect(bad.some((m) => m.includes('error validating installer image'))).toBe(true);
    expect(bad.some((m) => m.includes('cordon'))).toBe(true);
  });

  it('an installer that flips the bootloader before writing breaks the fixed T#10364 counterpart', () => {
    const flipsFirst = nodeMachine.provide({
      actions: {
        beginInstall: enqueueActions(({ context, enqueue }) => {
          const slot = context.bootedSlot === 'A' ? 'B' : 'A';
          enqueue.assign({
            writing: slot,
            delayMs: context.timing.install.maxMs,
            disk: { ...context.disk, bootloader: { default: slot, fallback: context.bootedSlot! } },
          });
        }),
      },
    });
    const bad = unmet(check('t10364-fixed-flip-after-write.yaml', { nodeMachine: flipsFirst }));
    expect(bad.some((m) => m.includes('cp1 ends on v1.9.2'))).toBe(true);
  });

  it('an installer that flips the bootloader before writing breaks the tightened T#12551 fixed counterpart', () => {
    // The flip is announced when the write starts, not after it is done (F§2: default := the new slot only
    // once the slot holds the image); the `before:`/`within:` matchers of the fixed file must notice.
    const announcesFlipFirst = nodeMachine.provide({
      actions: {
        beginInstall: enqueueActions(({ context, enqueue }) => {
          const slot = context.bootedSlot === 'A' ? 'B' : 'A';
          enqueue.assign({ writing: slot, delayMs: context.timing.install.maxMs });
          enqueue.emit({ type: 'bootloader.flip', default: slot, fallback: context.bootedSlot! });
          enqueue.emit({ type: 'slot.write', slot, version: context.upgrade!.version, phase: 'start' });
        }),
      },
    });
    const bad = unmet(check('t12551-fixed-larger-boot.yaml', { nodeMachine: announcesFlipFirst }));
    expect(bad.some((m) => m.includes('before bootloader.flip'))).toBe(true);
    expect(unmet(check('t12551-fixed-larger-boot.yaml'))).toEqual([]);
  });
});

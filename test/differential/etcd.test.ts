// The differential suite: every case in cases.ts runs on real etcd 3.4 (/usr/bin/etcd, Debian
// etcd-server; installed in CI by .ci/run) and on the model, and both must agree on the outcome of every
// step: 'ok', or etcd's error code (which fixes its definite/indefinite flag), or the observation bucket.
// A disagreement is a model bug to fix, or a documented exception in the case itself. The comparison
// table is printed at the end. Real timing varies, so every real wait is bounded polling; the model runs
// on its own virtual clock.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ETCD_ERRORS, type EtcdErrorCode } from '../../models/etcd-errors.js';
import { ETCD_BINARY, killAllTracked, trackedPids } from '../../sim/remote/etcd/index.js';
import { CASES } from './cases.js';
import { runOnModel } from './model-driver.js';
import { runOnReal } from './real-driver.js';
import { describeStep } from './steps.js';

interface Row {
  caseName: string;
  step: string;
  real: string;
  model: string;
  agree: 'yes' | 'NO' | 'exception';
}

const rows: Row[] = [];
const notes: string[] = [];

/** An outcome with its definite flag when it is an error code. */
function show(outcome: string): string {
  const info = ETCD_ERRORS[outcome as EtcdErrorCode] as (typeof ETCD_ERRORS)[EtcdErrorCode] | undefined;
  return info === undefined ? outcome : `${outcome} (${info.definite ? 'definite' : 'indefinite'})`;
}

function table(): string {
  const head: Row = { caseName: 'case', step: 'step', real: 'real etcd 3.4', model: 'model', agree: 'yes' };
  const all = [head, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => String(r[k]).length));
  const line = (r: Row, agree: string) =>
    `| ${r.caseName.padEnd(w('caseName'))} | ${r.step.padEnd(w('step'))} | ${r.real.padEnd(w('real'))} | ${r.model.padEnd(w('model'))} | ${agree.padEnd(9)} |`;
  const agreeing = rows.filter((r) => r.agree === 'yes').length;
  const exceptions = rows.filter((r) => r.agree === 'exception').length;
  const cases = new Set(rows.map((r) => r.caseName)).size;
  return [
    line(head, 'agree'),
    line({ caseName: '-', step: '-', real: '-', model: '-', agree: 'yes' }, '-').replace(/ /g, '-'),
    ...rows.map((r) => line(r, r.agree)),
    `${cases} cases, ${rows.length} steps: ${agreeing} agree, ${exceptions} documented exceptions, ${rows.length - agreeing - exceptions} disagree`,
  ].join('\n');
}

afterAll(() => {
  killAllTracked();
  if (rows.length > 0)
    console.log(`\netcd differential: real etcd 3.4 vs models/etcd-cluster.ts\n${table()}`);
  if (notes.length > 0) console.log(notes.join('\n'));
});

describe('etcd model vs real etcd (differential)', () => {
  it('has at least 20 cases with unique names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  describe.skipIf(!existsSync(ETCD_BINARY))('on /usr/bin/etcd', () => {
    it.each(CASES.map((c) => [c.name, c] as const))(
      '%s',
      async (_name, c) => {
        const model = runOnModel(c);
        const real = await runOnReal(c);
        notes.push(...real.notes);
        const mismatches: string[] = [];
        c.steps.forEach((s, i) => {
          const r = real.outcomes[i] ?? '(not run)';
          const m = model[i] ?? '(not run)';
          const excepted = c.exception?.steps.includes(i) ?? false;
          const agree = r === m ? 'yes' : excepted ? 'exception' : 'NO';
          rows.push({
            caseName: c.name,
            step: `${i}: ${describeStep(s)}`,
            real: show(r),
            model: show(m),
            agree,
          });
          if (agree === 'NO') mismatches.push(`step ${i} (${describeStep(s)}): real ${r}, model ${m}`);
        });
        expect(mismatches, `${c.name}: ${c.why}`).toEqual([]);
        // Nothing of this case keeps running.
        expect(trackedPids()).toEqual([]);
      },
      90_000,
    );
  });
});

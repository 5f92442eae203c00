import { describe, expect, it } from 'vitest';
import {
  etcdPrecheck,
  PRECHECK_HEALTHY_MS,
  PRECHECK_READ_TIMEOUT_MS,
  type PrecheckMember,
} from '../../../models/precheck.js';

const up = (i: number): PrecheckMember => ({
  id: `m${i}`,
  name: `cp${i}`,
  learner: false,
  started: true,
  readError: null,
});
const members = (n: number) => Array.from({ length: n }, (_, i) => up(i + 1));

describe('etcd pre-checks of the Upgrade handler (F§3)', () => {
  it('F§3: a healthy 3-member cluster passes', () => {
    expect(etcdPrecheck({ rules: 'talos-1.8', preserve: false, members: members(3) })).toEqual({
      ok: true,
      tookMs: PRECHECK_HEALTHY_MS,
    });
  });

  it('F§3: exactly 2 members is refused, learners counted', () => {
    const learner = { ...up(2), learner: true };
    for (const m of [members(2), [up(1), learner]]) {
      expect(etcdPrecheck({ rules: 'talos-1.8', preserve: true, members: m })).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/member count\(2\) is insufficient/),
      });
    }
  });

  it('F§3: a 1-member cluster is refused only by <=1.7 rules without preserve', () => {
    const one = members(1);
    expect(etcdPrecheck({ rules: 'talos-1.7', preserve: false, members: one })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/only 1 etcd member found/),
    });
    expect(etcdPrecheck({ rules: 'talos-1.7', preserve: true, members: one }).ok).toBe(true);
    expect(etcdPrecheck({ rules: 'talos-1.8', preserve: false, members: one }).ok).toBe(true);
  });

  it('F§3: a member that is not started is refused', () => {
    const m = members(3);
    m[2] = { ...m[2]!, started: false, readError: 'context deadline exceeded' };
    expect(etcdPrecheck({ rules: 'talos-1.8', preserve: false, members: m })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/m3 \(cp3\) is not started/),
    });
  });

  it('F§3: every member must answer a linearizable read within 15 s; a learner never does', () => {
    const m = members(3);
    m[1] = { ...m[1]!, readError: 'context deadline exceeded' };
    expect(etcdPrecheck({ rules: 'talos-1.8', preserve: false, members: m })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/m2 \(cp2\) is not healthy.*context deadline exceeded/),
      tookMs: PRECHECK_READ_TIMEOUT_MS,
    });
    const l = members(3);
    l[2] = { ...l[2]!, learner: true, readError: 'etcdserver: rpc not supported for learner' };
    expect(etcdPrecheck({ rules: 'talos-1.8', preserve: false, members: l })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/rpc not supported for learner/),
    });
  });
});

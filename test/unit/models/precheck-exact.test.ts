// The pre-check verdicts word for word and with their durations (F§3): the reasons are Talos's own texts,
// which users grep for in their logs, and the time the checks take decides when the upgrade request is
// answered (a member without a leader makes the read wait out its 15 s; a learner refuses at once).
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

describe('etcd pre-checks, exact verdicts (F§3)', () => {
  it('the constants are the F§3 values', () => {
    expect(PRECHECK_READ_TIMEOUT_MS).toBe(15_000);
    expect(PRECHECK_HEALTHY_MS).toBe(1_000);
  });

  it('1 member under 1.7 rules without preserve', () => {
    expect(etcdPrecheck({ rules: 'talos-1.7', preserve: false, members: members(1) })).toEqual({
      ok: false,
      reason: 'only 1 etcd member found; assuming this is not an HA setup and refusing to upgrade',
      tookMs: 1_000,
    });
    // Two and three members under the same rules are not this refusal.
    expect(etcdPrecheck({ rules: 'talos-1.7', preserve: false, members: members(3) })).toEqual({
      ok: true,
      tookMs: 1_000,
    });
  });

  it('2 members', () => {
    expect(etcdPrecheck({ rules: 'talos-1.8', preserve: false, members: members(2) })).toEqual({
      ok: false,
      reason: 'etcd member count(2) is insufficient to maintain quorum if upgrade commences',
      tookMs: 1_000,
    });
    // 4 members are fine (only exactly 2 is refused).
    expect(etcdPrecheck({ rules: 'talos-1.8', preserve: false, members: members(4) }).ok).toBe(true);
  });

  it('a member not started: the first one, before any read', () => {
    const m = members(4);
    m[1] = { ...m[1]!, readError: 'context deadline exceeded' };
    m[2] = { ...m[2]!, started: false };
    m[3] = { ...m[3]!, started: false };
    expect(etcdPrecheck({ rules: 'talos-1.8', preserve: true, members: m })).toEqual({
      ok: false,
      reason: 'etcd member m3 (cp3) is not started, all members must be running to perform an upgrade',
      tookMs: 1_000,
    });
  });

  it('a read that fails: 15 s for a voter, at once for a learner; the first failing member is named', () => {
    const m = members(3);
    m[1] = { ...m[1]!, readError: 'context deadline exceeded' };
    m[2] = { ...m[2]!, readError: 'other' };
    expect(etcdPrecheck({ rules: 'talos-1.8', preserve: false, members: m })).toEqual({
      ok: false,
      reason:
        'etcd member m2 (cp2) is not healthy; all members must be healthy to perform an upgrade: context deadline exceeded',
      tookMs: 15_000,
    });
    const l = members(3);
    l[0] = { ...l[0]!, learner: true, readError: 'etcdserver: rpc not supported for learner' };
    expect(etcdPrecheck({ rules: 'talos-1.8', preserve: false, members: l })).toEqual({
      ok: false,
      reason:
        'etcd member m1 (cp1) is not healthy; all members must be healthy to perform an upgrade: etcdserver: rpc not supported for learner',
      tookMs: 1_000,
    });
  });
});

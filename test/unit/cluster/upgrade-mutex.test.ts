import { describe, expect, it } from 'vitest';
import { UpgradeMutex } from '../../../sim/cluster/upgrade-mutex.js';

describe('the upgrade mutex (F§3: a non-blocking TryLock held for the API call)', () => {
  it('F§3: a second TryLock while held is refused at once; after the unlock it succeeds', () => {
    const mu = new UpgradeMutex();
    expect(mu.tryLock('cp1', true)).toEqual({ ok: true });
    expect(mu.tryLock('cp2', true)).toEqual({
      ok: false,
      reason: 'failed to acquire upgrade mutex: mutex: Locked by another session',
    });
    mu.unlock('cp1');
    expect(mu.tryLock('cp2', true)).toEqual({ ok: true });
    expect(mu.holder).toBe('cp2');
  });

  it('F§4: without a leader the lock key cannot be written: refused as a timeout', () => {
    const mu = new UpgradeMutex();
    expect(mu.tryLock('cp1', false)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/request timed out/),
    });
    expect(mu.holder).toBeNull();
  });

  it('unlocking a mutex one does not hold is a simulator bug', () => {
    const mu = new UpgradeMutex();
    mu.tryLock('cp1', true);
    expect(() => mu.unlock('cp2')).toThrow(/does not hold/);
  });
});

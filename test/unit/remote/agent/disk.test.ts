// The agent's disk as folders (F§1): the model's facts round-trip through real files, a wipe deletes the
// folder, and a process killed (SIGKILL) in the middle of a write leaves either the old or the new file —
// except a slot write, which leaves the slot marked not intact, as the model says a torn write does.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { atomicWrite, FolderDisk } from '../../../../sim/remote/agent/disk.js';

const root = mkdtempSync(join(tmpdir(), 'upgradelab-disk-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const DIST_DISK = join(process.cwd(), 'dist/sim/remote/agent/disk.js');

/** Run `body` (JS using `FolderDisk` from dist/) in a child; SIGKILL it once it prints "kill me". */
function killMidway(dir: string, body: string): Promise<NodeJS.Signals | null> {
  const src = `import { FolderDisk } from ${JSON.stringify(DIST_DISK)}; const disk = new FolderDisk(${JSON.stringify(dir)}); ${body}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', src], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('kill me')) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => resolve(signal));
  });
}

describe('FolderDisk', () => {
  it('holds the model disk: install, slot write, bootloader flip, META, wipe', () => {
    const d = new FolderDisk(join(root, 'roundtrip'));
    d.install('v1.7.6', 'cp1');
    d.writeSlot('B', 'v1.8.0');
    d.writeBootloader({ default: 'B', fallback: 'A' });
    d.writeMeta({ upgradeFallback: 'A', staged: null, tentative: null, triesLeft: null });
    const disk = d.read();
    expect(disk.boot).toEqual({
      A: { version: 'v1.7.6', intact: true },
      B: { version: 'v1.8.0', intact: true },
    });
    expect(disk.bootloader).toEqual({ default: 'B', fallback: 'A' });
    expect(disk.meta?.upgradeFallback).toBe('A');
    expect(disk.state).toEqual({ hostname: 'cp1' });
    expect(disk.ephemeral.etcd).toBeNull();
    d.wipe('STATE');
    expect(d.read().state).toBeNull();
    d.wipe('all');
    const wiped = d.read();
    expect(wiped.boot).toEqual({ A: null, B: null });
    expect(wiped.meta).toBeNull();
  });

  it('a kill in the middle of a slot write leaves that slot not intact and the other slot untouched', async () => {
    const dir = join(root, 'torn-slot');
    const d = new FolderDisk(dir);
    d.install('v1.7.6', 'cp1');
    const signal = await killMidway(
      dir,
      `disk.writeSlot('B', 'v1.8.0', (n) => { if (n >= 1048576) { console.log('kill me'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000); } });`,
    );
    expect(signal).toBe('SIGKILL');
    const disk = d.read();
    expect(disk.boot.B).toEqual({ version: 'v1.8.0', intact: false });
    expect(disk.boot.A).toEqual({ version: 'v1.7.6', intact: true });
  });

  it('a kill in the middle of a file write leaves the old file or the new one, never a torn one', async () => {
    const dir = join(root, 'atomic');
    const file = join(dir, 'META', 'big.json');
    // Large enough that the write takes far longer than the kill takes to land.
    const body = (v: string) => JSON.stringify({ v, pad: 'x'.repeat(32 * 1024 * 1024) });
    mkdirSync(join(dir, 'META'), { recursive: true });
    atomicWrite(file, body('old'));
    const signal = await killMidway(
      dir,
      `const { atomicWrite } = await import(${JSON.stringify(DIST_DISK)}); const big = JSON.stringify({ v: 'new', pad: 'x'.repeat(32 * 1024 * 1024) }); console.log('kill me'); for (;;) atomicWrite(${JSON.stringify(file)}, big);`,
    );
    expect(signal).toBe('SIGKILL');
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { v: string; pad: string };
    expect(['old', 'new']).toContain(parsed.v);
    expect(parsed.pad).toHaveLength(32 * 1024 * 1024);
  });
});

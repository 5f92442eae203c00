// Finding and ending the processes a real-node test started, by pid, through /proc (Linux): a test that
// starts agents or etcd must prove none is left, even when it fails.
import { readdirSync, readFileSync } from 'node:fs';

/** Live (non-zombie) pids whose command line contains `needle` (e.g. a test's temporary folder). */
export function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes(needle)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      out.push(pid);
    } catch {
      // The process ended while we looked: not alive.
    }
  }
  return out;
}

/** SIGKILL each pid (already-gone ones are skipped). */
export function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

export async function waitGone(needle: string, timeoutMs: number): Promise<number[]> {
  const end = Date.now() + timeoutMs;
  let left = pidsMentioning(needle);
  while (left.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    left = pidsMentioning(needle);
  }
  return left;
}

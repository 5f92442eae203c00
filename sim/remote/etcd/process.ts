// One real etcd member process (Debian's /usr/bin/etcd 3.4): spawn, graceful stop (SIGTERM), crash
// (SIGKILL), restart with the same arguments, and its log kept for matching exits such as "permanently
// removed" or a raft panic (F§4). Every pid this module starts is tracked and killed when the Node process
// exits, so a failing test never leaves etcd running (this is the real-node adapter: wall-clock time is
// allowed here, see eslint.config.js).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const ETCD_BINARY = '/usr/bin/etcd';

/**
 * util-linux's setpriv (Debian: essential, always installed) sets the parent-death signal and then execs
 * etcd, so the pid stays etcd's own. The 'exit' hook below covers a normal exit, a signal handler or a crash
 * of this process; only SIGKILL of this process skips every handler, and then the kernel sends etcd the
 * parent-death SIGKILL (the watchdog of issue 10 item 2).
 */
export const SETPRIV_BINARY = '/usr/bin/setpriv';

/** The command that runs `binary args` so that it dies with this process (when setpriv exists). */
export function dieWithParent(binary: string, args: readonly string[]): { file: string; args: string[] } {
  if (!existsSync(SETPRIV_BINARY)) return { file: binary, args: [...args] };
  return { file: SETPRIV_BINARY, args: ['--pdeathsig', 'SIGKILL', '--', binary, ...args] };
}

/** Peer timing used by the lab and the differential suite (F§4: heartbeat 100 ms, election timeout 1 s). */
export const ETCD_TIMING_FLAGS: readonly string[] = [
  '--heartbeat-interval=100',
  '--election-timeout=1000',
  '--pre-vote=true',
];

/** Lines of log kept per process; older lines are dropped (a bound on memory for long runs). */
const LOG_LINES_MAX = 2_000;

const tracked = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers run synchronously: kill() is synchronous, so this is enough even on a crash.
  process.on('exit', killAllTracked);
}

/** SIGKILL every etcd process this module started that is still running. Returns how many. */
export function killAllTracked(): number {
  let n = 0;
  for (const child of tracked) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
        n++;
      } catch {
        // Already gone: nothing to do.
      }
    }
  }
  tracked.clear();
  return n;
}

/** The pids of tracked processes still running (for tests that check nothing leaks). */
export function trackedPids(): number[] {
  const out: number[] = [];
  for (const child of tracked)
    if (child.exitCode === null && child.signalCode === null && child.pid) out.push(child.pid);
  return out;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('freePort: no address'));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

export interface EtcdProcessSpec {
  name: string;
  dataDir: string;
  clientPort: number;
  /** The port etcd listens on for peers. */
  peerPort: number;
  /** The peer URL port other members use (a proxy's port when traffic goes through one). */
  advertisedPeerPort: number;
  /** `--initial-cluster`: name=url pairs. */
  initialCluster: string;
  initialClusterState: 'new' | 'existing';
  clusterToken: string;
  extraFlags?: readonly string[];
  binary?: string;
}

export interface EtcdExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function etcdArgs(s: EtcdProcessSpec): string[] {
  const client = `http://127.0.0.1:${s.clientPort}`;
  return [
    `--name=${s.name}`,
    `--data-dir=${s.dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=http://127.0.0.1:${s.peerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${s.advertisedPeerPort}`,
    `--initial-cluster=${s.initialCluster}`,
    `--initial-cluster-state=${s.initialClusterState}`,
    `--initial-cluster-token=${s.clusterToken}`,
    '--logger=zap',
    '--log-outputs=stderr',
    ...ETCD_TIMING_FLAGS,
    ...(s.extraFlags ?? []),
  ];
}

/** One member process; `start` may be called again after it exited (a restart with the same spec). */
export class EtcdProcess {
  private child: ChildProcess | null = null;
  private exitPromise: Promise<EtcdExit> | null = null;
  private lastExit: EtcdExit | null = null;
  private readonly lines: string[] = [];
  private partial = '';
  /** Where the current run's log starts, so callers can look only at the log of the current run. */
  private generationStartLine = 0;
  private droppedLines = 0;

  constructor(public spec: EtcdProcessSpec) {}

  get pid(): number | null {
    return this.running ? (this.child?.pid ?? null) : null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** How the last run ended, or null while running / never started. */
  get exit(): EtcdExit | null {
    return this.running ? null : this.lastExit;
  }

  start(): void {
    if (this.running) throw new Error(`EtcdProcess.start: ${this.spec.name} is already running`);
    installExitHook();
    this.generationStartLine = this.droppedLines + this.lines.length;
    this.lastExit = null;
    const cmd = dieWithParent(this.spec.binary ?? ETCD_BINARY, etcdArgs(this.spec));
    const child = spawn(cmd.file, cmd.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    tracked.add(child);
    this.child = child;
    const onData = (buf: Buffer): void => this.append(buf.toString('utf8'));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        tracked.delete(child);
        this.lastExit = { code, signal };
        resolve(this.lastExit);
      });
      child.on('error', (err) => {
        tracked.delete(child);
        this.append(`spawn error: ${err.message}\n`);
        this.lastExit = { code: -1, signal: null };
        resolve(this.lastExit);
      });
    });
  }

  /** Graceful stop: SIGTERM (etcd hands leadership over first, F§4), SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<EtcdExit | null> {
    return this.signal('SIGTERM', timeoutMs);
  }

  /** Crash: SIGKILL (power loss of the member). */
  async kill(): Promise<EtcdExit | null> {
    return this.signal('SIGKILL', 10_000);
  }

  /** Resolves when the current run exits (immediately when not running). */
  async waitExit(timeoutMs: number): Promise<EtcdExit | null> {
    if (this.exitPromise === null) return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const r = await Promise.race([this.exitPromise, timeout]);
    clearTimeout(timer);
    return r;
  }

  /** Log lines of the current (or last) run. */
  log(): string[] {
    const from = Math.max(0, this.generationStartLine - this.droppedLines);
    return this.lines.slice(from);
  }

  /** Whether the current run's log contains `text`. */
  logged(text: string): boolean {
    return this.log().some((l) => l.includes(text));
  }

  private async signal(sig: NodeJS.Signals, timeoutMs: number): Promise<EtcdExit | null> {
    if (!this.running || this.child === null) return this.lastExit;
    this.child.kill(sig);
    const r = await this.waitExit(timeoutMs);
    if (r === null && this.running) {
      this.child.kill('SIGKILL');
      return this.waitExit(10_000);
    }
    return r;
  }

  private append(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.lines.push(p);
    const excess = this.lines.length - LOG_LINES_MAX;
    if (excess > 0) {
      this.lines.splice(0, excess);
      this.droppedLines += excess;
    }
  }
}

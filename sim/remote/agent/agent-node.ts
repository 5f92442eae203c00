// One real node: the node model of models/node.ts run on wall-clock time (wall-clock.ts), over a disk of
// folders (disk.ts) and a real etcd member process (etcd-member.ts), served as a NodeApi so the gRPC server
// (server.ts) exposes it as Talos's MachineService plus the lab's verbs (DESIGN.md, Real nodes).
// The model emits requests; this class executes them against the real things and answers with events,
// exactly the role World plays for a simulated node:
// - disk effects (slot writes, bootloader flips, META, wipes) are written to the folders with fsync+rename;
// - etcd.start/stop/leave/dataWiped drive the real member (join as learner and promote, F§3);
// - precheck takes a real etcd lock (the upgrade mutex) and runs models/precheck.ts over what real etcd says;
// - kube.api and kube.awaitNodeReady ask whether an API server would work: some control plane's etcd answers
//   a linearizable read (F§2).
// Power loss = SIGKILL of etcd and the loss of every in-memory state (the actor is dropped and a new one
// boots from what the folders hold); wipe = deleting the folder; isolate = the peer proxy drops everything.
// Not deterministic, and it says so: the first event of its stream names the wall clock.
import { rmSync } from 'node:fs';
import { createActor, type Actor } from 'xstate';
import { nodeMachine, type NodeEmitted, type NodeTiming } from '../../../models/node.js';
import { etcdPrecheck } from '../../../models/precheck.js';
import type {
  BootFailStage,
  BootFault,
  BootloaderProfile,
  RebootMode,
  Role,
  TalosProfile,
} from '../../../models/types.js';
import type {
  ApiResult,
  EtcdHealth,
  NodeStatus,
  Reply,
  ResetOptions,
  SlotState,
  UpgradeOptions,
  WipeLabel,
} from '../../api/node-api.js';
import { slotStateOf } from '../../api/slot-state.js';
import type { TraceEventBody } from '../../trace/types.js';
import { forfeitLeadership, leaveCluster, type EtcdVerbContext } from './etcd-verbs.js';
import { EtcdClient } from '../etcd/client.js';
import { PeerCuts, PeerProxy } from '../etcd/proxy.js';
import type { EventHub } from '../events.js';
import type { ServedNodeApi } from '../server.js';
import { SharedIsolation } from './shared-isolation.js';
import { FolderDisk } from './disk.js';
import { AgentEtcd, type AgentEtcdTiming } from './etcd-member.js';
import { WallClock } from './wall-clock.js';

export interface AgentEtcdPorts {
  clientPort: number;
  /** etcd listens for peers here ... */
  peerPort: number;
  /** ... behind the isolate proxy, which listens here (the advertised peer URL). */
  proxyPort: number;
  clusterToken: string;
  /** Only for the lab's first start: the initial cluster (name=peerURL,...) every control plane shares. */
  initialCluster?: string;
}

export interface AgentNodeOptions {
  name: string;
  role: Role;
  /** The disk: BOOT, META, STATE, EPHEMERAL folders (installed with `version` on the first start). */
  dir: string;
  version: string;
  bootloader: BootloaderProfile;
  profile: TalosProfile | null;
  /** Stage timings in model ms (scaled to wall time by `speed`). */
  timing: NodeTiming;
  /** Model ms per wall-clock ms. */
  speed: number;
  rngSeed: number;
  etcd: AgentEtcdPorts | null;
  /** etcd client URLs (http://127.0.0.1:PORT) of the other control planes: joins and API-server checks. */
  peers: readonly string[];
  events: EventHub;
  etcdBinary?: string;
  /**
   * The folder the agents of one lab share (`cluster up`'s DIR): an isolation is announced there so every
   * agent's proxy also cuts the isolated member's outgoing traffic (shared-isolation.ts). Without it an
   * isolation cuts only the traffic into this member.
   */
  labDir?: string;
}

const UNREACHABLE = { ok: false as const, error: 'unavailable: node API not reachable', definite: true };
/** Machine states in which apid answers (as for simulated nodes, sim/cluster/sim-api.ts). */
const SERVING = new Set(['running', 'init', 'bootFailed', 'sequenceFailed', 'maintenance']);
/** The etcd key of the upgrade mutex and its lease: a holder that dies frees it after this. */
const MUTEX_KEY = 'upgradelab/upgrade-mutex';
const MUTEX_LEASE_S = 60;
/** Wall-clock poll period for waits on real etcd (linearizable reads, API-server checks). */
const POLL_WALL_MS = 200;
/** Bound on one etcd request from the agent's own checks (etcdctl's default command timeout is 5 s). */
const CHECK_TIMEOUT_MS = 3_000;
/** The etcd service restarts a dead etcd after 5 s (model time), forever (F§3); at least this wall time. */
const RESTART_MODEL_MS = 5_000;
const RESTART_WALL_MIN_MS = 500;
/** Cordon waits at most 1 min for the Kubernetes API (F§3), polling every second (model time). */
const KUBE_API_WAIT_MS = 60_000;
const KUBE_API_POLL_MS = 1_000;
/** etcd's "connected to every voter for 5 s" rule runs on real time (F§4); a leave waits it out. */
const LEAVE_UNHEALTHY_WALL_MS = 6_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const hexId = (decimal: string): string => BigInt(decimal).toString(16);

export class AgentNode implements ServedNodeApi {
  readonly clock: WallClock;
  readonly disk: FolderDisk;
  readonly etcd: AgentEtcd | null;
  readonly cuts = new PeerCuts();
  private readonly proxy: PeerProxy | null;
  private readonly shared: SharedIsolation | null;
  private actor: Actor<typeof nodeMachine> | null = null;
  /** Last machine state the model emitted ('off' while powered off). */
  state = 'off';
  private nextRequestId = 1;
  private readonly pendingReplies = new Map<number, (ok: boolean, detail: string) => void>();
  /** What was last written to the folders, so unchanged parts are not rewritten after every effect. */
  private written = new Map<string, string>();
  /** Boot faults survive a power loss (they stand for a bad image, not for memory). */
  private bootFaults: BootFault[] = [];
  private etcdWanted = false;
  /** A stop of the etcd process in flight: a start waits for it (startEtcd). */
  private etcdStopping: Promise<unknown> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private faultSeq = 0;
  private powerFaultId: number | null = null;
  private isolateFaultId: number | null = null;
  private stopped = false;
  private rng: number;

  constructor(readonly options: AgentNodeOptions) {
    this.clock = new WallClock(options.speed);
    this.disk = new FolderDisk(options.dir);
    this.rng = options.rngSeed >>> 0;
    const e = options.etcd;
    if (options.role === 'controlplane' && e === null)
      throw new Error(`AgentNode ${options.name}: a control plane needs etcd ports`);
    this.etcd =
      e === null
        ? null
        : new AgentEtcd(
            {
              name: options.name,
              dataDir: this.disk.etcdDataDir,
              clientPort: e.clientPort,
              peerPort: e.peerPort,
              advertisedPeerPort: e.proxyPort,
              clusterToken: e.clusterToken,
              peers: options.peers,
              ...(e.initialCluster ? { initialCluster: e.initialCluster } : {}),
              ...(options.etcdBinary ? { binary: options.etcdBinary } : {}),
            },
            this.etcdTiming(),
          );
    this.proxy = e === null ? null : new PeerProxy(options.name, e.proxyPort, e.peerPort, this.cuts);
    this.shared =
      e !== null && options.labDir
        ? new SharedIsolation(options.labDir, options.name, this.cuts, () => this.endpoints())
        : null;
  }

  /** Talos's etcd service timings (F§3), scaled like the model; etcd-bound ones keep a wall-clock floor. */
  private etcdTiming(): AgentEtcdTiming {
    const s = (ms: number, minMs: number) => Math.max(minMs, this.clock.wallMs(ms));
    return {
      joinRetryMs: s(5_000, 500),
      joinForMs: s(30 * 60_000, 60_000),
      promoteEveryMs: s(15_000, 500),
      promoteForMs: s(10 * 60_000, 60_000),
      commandTimeoutMs: 5_000,
    };
  }

  /** Install on first start, start the peer proxy and power the machine on. */
  async start(): Promise<void> {
    const fresh = !this.disk.installed();
    if (fresh) this.disk.install(this.options.version, this.options.name);
    // The initial cluster bootstraps etcd only on a fresh disk: a node that starts again over its folders
    // (or loses its data later) joins as a learner like any Talos node (F§3).
    if (!fresh && this.etcd) delete this.etcd.spec.initialCluster;
    await this.proxy?.start();
    this.shared?.announce(false);
    this.shared?.start();
    this.publish({
      type: 'api',
      node: this.options.name,
      call: 'agent',
      ok: true,
      detail: `real node agent over ${this.options.dir}: wall-clock time x ${this.options.speed}, not deterministic${fresh ? ', fresh install of ' + this.options.version : ''}`,
    });
    this.boot();
  }

  /** Stop the agent: etcd gracefully (bounded), timers, proxy. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.etcdWanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.actor?.stop();
    this.actor = null;
    this.clock.stopAll();
    this.shared?.stop();
    this.shared?.announce(false);
    await this.etcd?.stop('graceful');
    await this.proxy?.close();
  }

  // ---- the machine --------------------------------------------------------------------------------

  /** A new actor over what the folders hold, then POWER_ON: memory starts empty. */
  private boot(): void {
    const disk = this.disk.read();
    this.written = new Map([
      ['bootloader', JSON.stringify(disk.bootloader)],
      ['meta', JSON.stringify(disk.meta)],
      ['state', JSON.stringify(disk.state)],
    ]);
    this.rng = (Math.imul(this.rng, 1664525) + 1013904223) >>> 0;
    const actor = createActor(nodeMachine, {
      clock: this.clock.xstate(),
      input: {
        name: this.options.name,
        role: this.options.role,
        profile: this.options.profile,
        bootloader: this.options.bootloader,
        bootTries: 1,
        timing: this.options.timing,
        rngSeed: this.rng,
        version: this.options.version,
        etcdMemberId: null,
        disk,
      },
    });
    this.actor = actor;
    actor.on('*', (e) => {
      if (this.actor === actor) this.onEffect(actor, e as NodeEmitted);
    });
    // A model exception is a bug: crash the agent (its exit hook and the parent-death signal end etcd).
    actor.subscribe({
      error: (err) => {
        throw err instanceof Error ? err : new Error(String(err));
      },
    });
    actor.start();
    for (const fault of this.bootFaults) actor.send({ type: 'INJECT_BOOT_FAULT', fault });
    actor.send({ type: 'POWER_ON' });
  }

  private publish(body: TraceEventBody): void {
    this.options.events.publish(this.clock.now(), body);
  }

  private context() {
    return this.actor?.getSnapshot().context ?? null;
  }

  private writeIfChanged(key: string, value: unknown, write: () => void): void {
    const json = JSON.stringify(value);
    if (this.written.get(key) === json) return;
    write();
    this.written.set(key, json);
  }

  /** Mirror the model's bootloader, META and STATE into the folders (slots are written by slot.write). */
  private persist(): void {
    const d = this.context()?.disk;
    if (!d) return;
    this.writeIfChanged('bootloader', d.bootloader, () => this.disk.writeBootloader(d.bootloader));
    if (d.meta) this.writeIfChanged('meta', d.meta, () => this.disk.writeMeta(d.meta!));
    if (d.state) this.writeIfChanged('state', d.state, () => this.disk.writeState(d.state!));
  }

  private onEffect(actor: Actor<typeof nodeMachine>, e: NodeEmitted): void {
    const name = this.options.name;
    const c = actor.getSnapshot().context;
    switch (e.type) {
      case 'state':
        this.state = e.state;
        this.publish({
          type: 'node.state',
          node: name,
          state: e.state,
          version: c.version,
          slot: c.bootedSlot,
        });
        break;
      case 'boot.decision':
        this.publish({ type: 'boot.decision', node: name, slot: e.slot, reason: e.reason, mode: e.mode });
        break;
      case 'boot.failed':
        this.publish({
          type: 'boot.failed',
          node: name,
          stage: e.stage,
          version: e.version,
          reverted: e.reverted,
        });
        break;
      case 'slot.write':
        if (e.phase === 'start') this.disk.beginSlotWrite(e.slot, e.version);
        else this.disk.setSlot(e.slot, c.disk.boot[e.slot]);
        this.publish({ type: 'slot.write', node: name, slot: e.slot, version: e.version, phase: e.phase });
        break;
      case 'bootloader.flip':
        this.publish({ type: 'bootloader.flip', node: name, default: e.default, fallback: e.fallback });
        break;
      case 'meta':
        this.publish({ type: 'meta', node: name, key: e.key, value: e.value });
        break;
      case 'disk.wipe':
        this.wipeFolders(e.label as WipeLabel);
        this.publish({ type: 'disk.wipe', node: name, label: e.label });
        break;
      case 'ready':
        this.publish({ type: 'node.ready', node: name, version: e.version });
        break;
      case 'upgrade.step':
        this.publish(
          e.detail === undefined
            ? { type: 'upgrade.step', node: name, step: e.step }
            : { type: 'upgrade.step', node: name, step: e.step, detail: e.detail },
        );
        break;
      case 'api.reply': {
        const done = this.pendingReplies.get(e.requestId);
        if (done) {
          this.pendingReplies.delete(e.requestId);
          done(e.ok, e.detail);
        }
        break;
      }
      case 'etcd.start':
        void this.startEtcd(actor);
        break;
      case 'etcd.stop':
        void this.stopEtcd(e.graceful);
        break;
      case 'etcd.dataWiped':
        void this.etcdDataWiped();
        break;
      case 'etcd.leave':
        void this.leaveEtcd(actor);
        break;
      case 'kube.awaitNodeReady':
        void this.awaitNodeReady(actor);
        break;
      case 'kube.api':
        void this.kubeApi(actor, e.purpose);
        break;
      case 'precheck':
        void this.precheck(actor, e.rules, e.preserve);
        break;
    }
    this.persist();
  }

  /** Delete partition folders; the model's view of them is the new truth for later writes. */
  private wipeFolders(label: WipeLabel): void {
    this.disk.wipe(label);
    if (label === 'all' || label === 'META') this.written.delete('meta');
    if (label === 'all' || label === 'STATE') this.written.delete('state');
    if (label === 'all' || label === 'BOOT') this.written.delete('bootloader');
  }

  // ---- etcd -----------------------------------------------------------------------------------------

  private etcdEvent(change: string, detail?: string): void {
    const member = this.disk.read().ephemeral.etcd?.memberId ?? '-';
    this.publish({
      type: 'etcd.member',
      node: this.options.name,
      member,
      change,
      ...(detail === undefined ? {} : { detail }),
    });
  }

  /** Remember a stop in flight until it settles, so the next boot's start waits for it. */
  private stopping<T>(stop: Promise<T>): Promise<T> {
    const p = stop.finally(() => {
      if (this.etcdStopping === p) this.etcdStopping = null;
    });
    this.etcdStopping = p;
    return p;
  }

  /** The etcd service start at boot (pre-start once, F§3), then wait for a linearizable read. */
  private async startEtcd(actor: Actor<typeof nodeMachine>): Promise<void> {
    const etcd = this.etcd;
    if (!etcd) return;
    // Talos stops its services before it reboots (F§3): a stop still in flight (a leader's graceful stop
    // hands leadership over first, F§4, and may outlast a fast reboot) ends before this boot's start.
    // Returning here while the old process lived left the node in init until the boot timeout (the
    // mixed-run canary's cp1, test/e2e/agent-etcd-restart.test.ts).
    while (this.etcdStopping) await this.etcdStopping;
    if (this.actor !== actor || etcd.process.running) return;
    this.etcdWanted = true;
    const r = await etcd.start();
    if (this.actor !== actor) return;
    if (!r.ok) {
      // The boot keeps waiting for etcd and times out after 70 min (model time) as in Talos.
      this.etcdEvent('service:failed', r.error);
      return;
    }
    delete etcd.spec.initialCluster;
    this.etcdEvent(`service:${r.how}`, r.memberId ? `member ${hexId(r.memberId)}` : undefined);
    this.watchExit(actor);
    // Learn the member id this data dir belongs to (the model's ETCD_IDENTITY).
    while (this.actor === actor && etcd.process.running) {
      const s = await etcd.client.status();
      if (s.ok && s.value.id !== '0') {
        const id = hexId(s.value.id);
        this.disk.recordEtcdMember(id);
        actor.send({ type: 'ETCD_IDENTITY', memberId: id });
        break;
      }
      await sleep(POLL_WALL_MS);
    }
    // On a control plane etcd counts as up only after a linearizable read succeeds (F§2).
    while (this.actor === actor && actor.getSnapshot().matches({ init: 'waitEtcd' })) {
      const g = await new EtcdClient(etcd.client.endpoint, CHECK_TIMEOUT_MS).get('upgradelab/health');
      if (g.ok && this.actor === actor) {
        actor.send({ type: 'ETCD_HEALTHY' });
        return;
      }
      await sleep(POLL_WALL_MS);
    }
  }

  /** The service runner restarts a dead etcd with the same arguments after 5 s, forever (F§3). */
  private watchExit(actor: Actor<typeof nodeMachine>): void {
    const etcd = this.etcd!;
    void etcd.process.waitExit(2 ** 31 - 1).then((exit) => {
      if (!exit || this.actor !== actor || !this.etcdWanted || this.stopped) return;
      const last = etcd.process.log().slice(-3).join(' | ').slice(0, 300);
      this.etcdEvent('service:exited', `code ${exit.code} signal ${exit.signal}: ${last}`);
      const wait = Math.max(RESTART_WALL_MIN_MS, this.clock.wallMs(RESTART_MODEL_MS));
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this.actor !== actor || !this.etcdWanted || this.stopped || etcd.process.running) return;
        etcd.process.start();
        this.etcdEvent('service:restarted');
        this.watchExit(actor);
      }, wait);
    });
  }

  private async stopEtcd(graceful: boolean): Promise<void> {
    if (!this.etcd) return;
    this.etcdWanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    if (!this.etcd.process.running) return;
    const exit = await this.stopping(this.etcd.stop(graceful ? 'graceful' : 'kill'));
    this.etcdEvent(
      graceful ? 'service:stopped' : 'service:killed',
      exit ? `signal ${exit.signal}` : undefined,
    );
  }

  /** The data dir is gone (a wipe, or LeaveCluster removing it): a running member dies with it. */
  private async etcdDataWiped(): Promise<void> {
    if (!this.etcd) return;
    if (this.etcd.process.running) await this.stopping(this.etcd.stop('kill'));
    rmSync(this.disk.etcdDataDir, { recursive: true, force: true });
    this.etcdEvent('data-wiped');
  }

  /** LeaveCluster (<=1.7 upgrade without preserve, F§3): remove our own member through our etcd. */
  private async leaveEtcd(actor: Actor<typeof nodeMachine>): Promise<void> {
    const etcd = this.etcd;
    let result: { ok: boolean; reason: string };
    if (!etcd) result = { ok: true, reason: 'not a member' };
    else {
      const s = await etcd.client.status();
      if (!s.ok) result = { ok: false, reason: s.error.message };
      else {
        // etcd refuses to remove a started member ("unhealthy cluster") until the others have been connected
        // for 5 s of real time (F§4); Talos retries that for 5 min, which --speed compresses to seconds. So
        // the agent gives etcd its real 5 s inside the call before the model sees the refusal.
        const until = Date.now() + LEAVE_UNHEALTHY_WALL_MS;
        let rm = await etcd.client.memberRemove(s.value.id);
        while (!rm.ok && rm.error.message.includes('unhealthy cluster') && Date.now() < until) {
          await sleep(POLL_WALL_MS);
          rm = await etcd.client.memberRemove(s.value.id);
        }
        result = rm.ok ? { ok: true, reason: 'left' } : { ok: false, reason: rm.error.message };
      }
    }
    this.etcdEvent(result.ok ? 'leave' : 'leave-failed', result.reason);
    if (this.actor === actor) actor.send({ type: 'ETCD_LEAVE_RESULT', ok: result.ok, reason: result.reason });
  }

  /** Client endpoints that may serve the cluster: our own etcd first (control planes), then the peers. */
  private endpoints(): string[] {
    return [...(this.etcd ? [this.etcd.client.endpoint] : []), ...this.options.peers];
  }

  /** Would an API server work? One whose etcd answers a linearizable read (F§2). */
  private async apiServerWorks(): Promise<boolean> {
    for (const ep of this.endpoints()) {
      const g = await new EtcdClient(ep, CHECK_TIMEOUT_MS).get('upgradelab/health');
      if (g.ok) return true;
    }
    return false;
  }

  private async awaitNodeReady(actor: Actor<typeof nodeMachine>): Promise<void> {
    while (this.actor === actor && actor.getSnapshot().matches({ running: { readiness: 'waitNodeReady' } })) {
      if (await this.apiServerWorks()) {
        if (this.actor === actor) actor.send({ type: 'KUBE_NODE_READY' });
        return;
      }
      await sleep(POLL_WALL_MS);
    }
  }

  /** Cordon waits up to 1 min for the Kubernetes API; drain fails at once without it (F§3). */
  private async kubeApi(actor: Actor<typeof nodeMachine>, purpose: 'cordon' | 'drain'): Promise<void> {
    const since = this.clock.now();
    for (;;) {
      if (this.actor !== actor) return;
      if (await this.apiServerWorks())
        return void actor.send({ type: 'KUBE_API_RESULT', ok: true, reason: 'ok' });
      if (purpose === 'drain')
        return void actor.send({
          type: 'KUBE_API_RESULT',
          ok: false,
          reason: 'the Kubernetes API is unavailable (etcd has no leader)',
        });
      if (this.clock.now() - since >= KUBE_API_WAIT_MS)
        return void actor.send({
          type: 'KUBE_API_RESULT',
          ok: false,
          reason: 'the Kubernetes API did not answer within 1 min (etcd has no leader)',
        });
      await sleep(Math.max(POLL_WALL_MS, this.clock.wallMs(KUBE_API_POLL_MS)));
    }
  }

  /**
   * The control-plane part of the Upgrade handler (F§3): TryLock the cluster-wide mutex in real etcd (a held
   * lock refuses at once), run models/precheck.ts over the real member list and one linearizable read per
   * member, and unlock when the call returns.
   */
  private async precheck(
    actor: Actor<typeof nodeMachine>,
    rules: TalosProfile,
    preserve: boolean,
  ): Promise<void> {
    const name = this.options.name;
    const reply = (ok: boolean, reason: string) => {
      if (this.actor === actor) actor.send({ type: 'PRECHECK_RESULT', ok, reason });
    };
    const client = this.etcd?.client;
    if (!client) return reply(false, 'this node is not an etcd member');
    const lock = await client.tryLock(MUTEX_KEY, name, MUTEX_LEASE_S);
    const refused = !lock.ok
      ? `failed to acquire upgrade mutex: ${lock.error.message}`
      : !lock.value.locked
        ? `failed to acquire upgrade mutex: mutex: Locked by another session (${lock.value.holder})`
        : null;
    this.publish({
      type: 'upgrade.step',
      node: name,
      step: refused ? 'mutex-refused' : 'mutex-locked',
      ...(refused ? { detail: refused } : {}),
    });
    if (refused) return reply(false, refused);
    const list = await client.memberList();
    let verdict: { ok: boolean; reason: string };
    if (!list.ok) verdict = { ok: false, reason: `etcd member list: ${list.error.message}` };
    else {
      const members = await Promise.all(
        list.value.map(async (m) => {
          const url = m.clientURLs[0];
          // etcd lists a member that never started with an empty name and no client URL.
          const started = m.name !== '' && url !== undefined;
          const read = started
            ? await new EtcdClient(url, CHECK_TIMEOUT_MS).get('upgradelab/precheck')
            : null;
          return {
            id: hexId(m.id),
            name: m.name,
            learner: m.isLearner,
            started,
            readError: read === null ? 'not started' : read.ok ? null : read.error.message,
          };
        }),
      );
      const v = etcdPrecheck({ rules, preserve, members });
      verdict = v.ok ? { ok: true, reason: 'ok' } : { ok: false, reason: v.reason };
      if (v.ok && !list.value.some((m) => m.name === name))
        verdict = { ok: false, reason: 'this node is not an etcd member' };
    }
    await client.unlock(MUTEX_KEY, name);
    this.publish({ type: 'upgrade.step', node: name, step: 'mutex-unlocked' });
    reply(verdict.ok, verdict.reason);
  }

  // ---- NodeApi ------------------------------------------------------------------------------------

  nodes(): readonly string[] {
    return [this.options.name];
  }

  now(): number {
    return this.clock.now();
  }

  after(delayMs: number, fn: () => void): void {
    this.clock.after(delayMs, fn);
  }

  private serving(): boolean {
    return this.actor !== null && SERVING.has(this.state);
  }

  /** Send an API request to the model; the reply comes with its `api.reply` effect. */
  private request(
    send: (actor: Actor<typeof nodeMachine>, requestId: number) => void,
    reply: Reply<string>,
  ): void {
    if (!this.serving() || !this.actor) return reply(UNREACHABLE);
    const id = this.nextRequestId++;
    this.pendingReplies.set(id, (ok, detail) =>
      reply(ok ? { ok: true, value: detail } : { ok: false, error: detail, definite: true }),
    );
    send(this.actor, id);
  }

  status(_node: string, reply: Reply<NodeStatus>): void {
    if (!this.serving()) return reply(UNREACHABLE);
    void this.etcdStatus().then((etcd) => {
      const c = this.context();
      if (!c) return reply(UNREACHABLE);
      reply({
        ok: true,
        value: {
          name: this.options.name,
          role: this.options.role,
          state: this.state,
          version: c.version,
          ready: c.ready,
          upgrading: c.upgrade !== null,
          etcd,
        },
      });
    });
  }

  private async etcdStatus(): Promise<NodeStatus['etcd']> {
    if (!this.etcd) return null;
    const fromDisk = this.disk.read().ephemeral.etcd?.memberId ?? '';
    if (!this.etcd.process.running) return { memberId: fromDisk, learner: false, started: false };
    const s = await new EtcdClient(this.etcd.client.endpoint, CHECK_TIMEOUT_MS).status();
    if (!s.ok) return { memberId: fromDisk, learner: false, started: true };
    return { memberId: hexId(s.value.id), learner: s.value.isLearner, started: true };
  }

  upgrade(_node: string, o: UpgradeOptions, reply: Reply<string>): void {
    this.request(
      (actor, requestId) =>
        actor.send({
          type: 'API_UPGRADE',
          request: {
            requestId,
            version: o.image,
            preserve: o.preserve,
            stage: o.stage,
            force: o.force,
            rebootMode: o.rebootMode,
          },
        }),
      reply,
    );
  }

  rollback(_node: string, reply: Reply<string>): void {
    this.request((actor, requestId) => actor.send({ type: 'API_ROLLBACK', requestId }), reply);
  }

  reboot(_node: string, mode: RebootMode, reply: Reply<string>): void {
    this.request((actor, requestId) => actor.send({ type: 'API_REBOOT', requestId, mode }), reply);
  }

  reset(_node: string, o: ResetOptions, reply: Reply<string>): void {
    if (!this.serving()) return reply(UNREACHABLE);
    const go = () =>
      this.request(
        (actor, requestId) =>
          actor.send({ type: 'API_RESET', requestId, graceful: o.graceful, labels: o.labels }),
        reply,
      );
    if (!o.graceful || !this.etcd) return go();
    // A single-node cluster cannot reset gracefully (F§1): leaving would take etcd with it.
    void this.etcd.client.memberList().then((l) => {
      if (l.ok && l.value.length <= 1)
        return reply({
          ok: false,
          error: 'cannot reset gracefully: this is the only etcd member',
          definite: true,
        });
      go();
    });
  }

  etcdHealth(_node: string, reply: Reply<EtcdHealth>): void {
    if (!this.serving()) return reply(UNREACHABLE);
    void this.health().then(reply);
  }

  private async health(): Promise<ApiResult<EtcdHealth>> {
    for (const ep of this.endpoints()) {
      const c = new EtcdClient(ep, CHECK_TIMEOUT_MS);
      const list = await c.memberList();
      if (!list.ok) continue;
      const members = await Promise.all(
        list.value.map(async (m) => {
          const url = m.clientURLs[0];
          const s = url ? await new EtcdClient(url, 1_000).status() : null;
          return {
            id: hexId(m.id),
            name: m.name,
            learner: m.isLearner,
            started: s !== null && s.ok,
            clientUrls: m.clientURLs,
            status: s,
          };
        }),
      );
      const leaderId = members
        .map((m) => (m.status?.ok ? m.status.value.leader : '0'))
        .find((l) => l !== '0');
      const leader = leaderId ? (members.find((m) => m.id === hexId(leaderId))?.name ?? null) : null;
      const own = this.etcd
        ? await new EtcdClient(this.etcd.client.endpoint, CHECK_TIMEOUT_MS).get('upgradelab/health')
        : null;
      return {
        ok: true,
        value: {
          leader,
          members: members.map(({ id, name, learner, started, clientUrls }) => ({
            id,
            name,
            learner,
            started,
            clientUrls,
          })),
          healthy: own !== null && own.ok,
        },
      };
    }
    return { ok: false, error: 'timeout: no etcd endpoint answered a member list', definite: false };
  }

  etcdRemoveMember(_node: string, memberId: string, reply: Reply<string>): void {
    if (!this.serving()) return reply(UNREACHABLE);
    const client = new EtcdClient(this.endpoints()[0] ?? '', CHECK_TIMEOUT_MS);
    void client
      .memberRemove(BigInt(`0x${memberId}`).toString())
      .then((r) =>
        reply(
          r.ok
            ? { ok: true, value: `removed ${memberId}` }
            : { ok: false, error: r.error.message, definite: r.error.definite },
        ),
      );
  }

  private verbContext(): EtcdVerbContext {
    return {
      name: this.options.name,
      endpoints: this.endpoints(),
      wallMs: (ms) => this.clock.wallMs(ms),
      requestTimeoutMs: CHECK_TIMEOUT_MS,
    };
  }

  /**
   * EtcdLeaveCluster (T v1alpha1_server.go): remove our member with Talos's retry rules (etcd-verbs.ts), then
   * stop etcd and remove its data dir, which is no longer valid; etcd stays stopped until the next boot,
   * which rejoins as a learner (F§3).
   */
  etcdLeave(_node: string, reply: Reply<string>): void {
    if (!this.serving()) return reply(UNREACHABLE);
    if (!this.etcd)
      return reply({ ok: false, error: 'etcd leave: not a control-plane node', definite: true });
    void leaveCluster(this.verbContext()).then(async (r) => {
      this.etcdEvent(r.ok ? 'leave' : 'leave-failed', r.ok ? `api: removed ${hexId(r.value)}` : r.error);
      if (!r.ok) return reply(r);
      await this.stopEtcd(true);
      await this.etcdDataWiped();
      reply({ ok: true, value: `left etcd (member ${hexId(r.value)} removed, data dir removed)` });
    });
  }

  /** EtcdForfeitLeadership: if our member leads, move leadership to another started voter (F§4). */
  etcdForfeitLeadership(_node: string, reply: Reply<string>): void {
    if (!this.serving()) return reply(UNREACHABLE);
    if (!this.etcd)
      return reply({ ok: false, error: 'etcd forfeit leadership: not a control-plane node', definite: true });
    void forfeitLeadership(this.verbContext()).then((r) => {
      if (r.ok && r.value !== '') this.etcdEvent('forfeit-leadership', `to ${r.value}`);
      reply(r);
    });
  }

  // ---- lab verbs: they act on the machine, so they answer while it is down -----------------------

  /**
   * Lab.SlotState from the folders, not from the model: the slots, the bootloader and META are read back
   * from BOOT/A, BOOT/B, BOOT/bootloader.json and META, so a disk that went wrong (a torn or deleted slot,
   * an agent that forgot a write) shows in the bootable invariant. The machine stage, the running version
   * and the booted slot are the model's (nothing on disk records them); the boot faults are the lab's.
   */
  slotState(_node: string, reply: Reply<SlotState>): void {
    let disk;
    try {
      disk = this.disk.read();
    } catch (err) {
      return reply({ ok: false, error: `disk unreadable: ${(err as Error).message}`, definite: true });
    }
    const c = this.context();
    reply({
      ok: true,
      value: slotStateOf(this.actor ? this.state : 'off', {
        version: c?.version ?? null,
        bootedSlot: c?.bootedSlot ?? null,
        disk,
        bootFaults: c?.bootFaults ?? this.bootFaults,
      }),
    });
  }

  private fault(kind: 'start' | 'end', fault: string, id: number, detail: string): void {
    this.publish({ type: `fault.${kind}`, fault, id, node: this.options.name, detail });
  }

  powerOff(_node: string, reply: Reply<string>): void {
    const actor = this.actor;
    if (!actor) return reply({ ok: true, value: `${this.options.name} was already off` });
    // The model tears an in-flight slot write and asks for etcd to be killed (SIGKILL, F§4).
    actor.send({ type: 'POWER_LOSS' });
    this.bootFaults = actor.getSnapshot().context.bootFaults;
    this.actor = null;
    actor.stop();
    this.pendingReplies.clear();
    this.etcdWanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.state = 'off';
    this.powerFaultId = ++this.faultSeq;
    this.fault('start', 'powerLoss', this.powerFaultId, 'lab verb powerOff: etcd SIGKILLed, memory lost');
    void (this.etcd ? this.stopping(this.etcd.stop('kill')) : Promise.resolve(null)).then(() =>
      reply({ ok: true, value: `${this.options.name} powered off` }),
    );
  }

  powerOn(_node: string, reply: Reply<string>): void {
    if (this.actor) return reply({ ok: true, value: `${this.options.name} was already on` });
    if (this.powerFaultId !== null) this.fault('end', 'powerLoss', this.powerFaultId, 'lab verb powerOn');
    this.powerFaultId = null;
    this.boot();
    reply({ ok: true, value: `${this.options.name} powered on` });
  }

  wipe(_node: string, label: WipeLabel, reply: Reply<string>): void {
    const id = ++this.faultSeq;
    this.fault('start', 'diskWipe', id, `lab verb wipe ${label}`);
    if (this.actor) this.actor.send({ type: 'WIPE', label });
    else {
      // Off: nothing runs, so delete the folders directly; the next boot reads what is left.
      this.disk.wipe(label);
    }
    this.fault('end', 'diskWipe', id, 'instant');
    reply({ ok: true, value: `${this.options.name} ${label} wiped` });
  }

  isolate(_node: string, reply: Reply<string>): void {
    if (!this.proxy)
      return reply({ ok: false, error: 'a worker has no etcd peer traffic to cut', definite: true });
    const name = this.options.name;
    // Connections of unknown sender are dropped both ways while any cut touches us; known senders are cut
    // by name (proxy.ts), so every member we know of is cut explicitly too.
    this.cuts.cut('*', name);
    this.cuts.cut(name, '*');
    this.isolateFaultId ??= ++this.faultSeq;
    const id = this.isolateFaultId;
    const done = (full: boolean) => {
      this.fault(
        'start',
        'partition',
        id,
        full
          ? 'lab verb isolate: every peer proxy of the lab drops its traffic, both ways'
          : 'lab verb isolate: its own peer proxy drops the traffic into it (no shared lab folder)',
      );
      reply({ ok: true, value: `${name} isolated${full ? '' : ' (incoming peer traffic only)'}` });
    };
    const shared = this.shared;
    if (!shared) return done(false);
    void shared.registerMembers().then(() => {
      if (this.isolateFaultId !== id) return;
      for (const other of this.cutsNames()) this.cuts.isolate(name, [name, other]);
      // The other agents cut our outgoing traffic at their proxies once they see the announcement.
      shared.announce(true);
      done(true);
    });
  }

  /** The members the cuts know by id (SharedIsolation registers them from the member list). */
  private cutsNames(): string[] {
    return this.cuts.knownNames().filter((n) => n !== this.options.name);
  }

  heal(_node: string, reply: Reply<string>): void {
    const name = this.options.name;
    this.shared?.announce(false);
    this.cuts.heal('*', name);
    this.cuts.heal(name, '*');
    for (const other of this.cutsNames()) {
      // Another member's own isolation stays cut until it heals itself.
      if (this.shared?.cutsFor(other)) continue;
      this.cuts.heal(name, other);
      this.cuts.heal(other, name);
    }
    if (this.isolateFaultId !== null) this.fault('end', 'partition', this.isolateFaultId, 'lab verb heal');
    const was = this.isolateFaultId !== null;
    this.isolateFaultId = null;
    reply({ ok: true, value: was ? `${this.options.name} healed` : `${this.options.name} was not isolated` });
  }

  failNextBoot(_node: string, version: string, stage: BootFailStage, reply: Reply<string>): void {
    const fault: BootFault = { version, stage, remaining: 1 };
    if (this.actor) this.actor.send({ type: 'INJECT_BOOT_FAULT', fault });
    else this.bootFaults = [...this.bootFaults, fault];
    reply({ ok: true, value: `${this.options.name}: next boot of ${version} fails at ${stage}` });
  }
}

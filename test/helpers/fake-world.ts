// A hand-set world for unit tests of the invariants (sim/invariants/): only what the checks read (nodes with
// their machine state and context, bootability, mid-upgrade, etcd membership, leader, quorum, lost writes,
// the faults' taken-out nodes), so each test states the exact situation a check must judge, boundaries
// included, without running a cluster.
import type { World } from '../../sim/cluster/world.js';
import type { FaultRegistry } from '../../sim/faults/registry.js';
import type { InvariantEnv } from '../../sim/invariants/index.js';
import type { Role } from '../../models/types.js';

export interface FakeSlot {
  version: string;
  intact: boolean;
}

export interface FakeNodeState {
  name: string;
  role: Role;
  state: string;
  version: string | null;
  ready: boolean;
  bootable: boolean;
  midUpgrade: boolean;
  boot: { A: FakeSlot | null; B: FakeSlot | null };
}

export interface FakeMember {
  id: string;
  name: string;
  learner: boolean;
  started: boolean;
}

export class FakeWorld {
  readonly list: FakeNodeState[];
  members: FakeMember[] = [];
  leaderId: string | null = 'm1';
  quorum = true;
  lost: number[] = [];
  takenOut = new Set<string>();

  constructor(nodes: { name: string; role?: Role; version?: string | null }[]) {
    this.list = nodes.map((n) => ({
      name: n.name,
      role: n.role ?? (n.name.startsWith('cp') ? 'controlplane' : 'worker'),
      state: 'running',
      version: n.version === undefined ? 'v1.7.6' : n.version,
      ready: true,
      bootable: true,
      midUpgrade: false,
      boot: { A: { version: n.version ?? 'v1.7.6', intact: true }, B: null },
    }));
  }

  get(name: string): FakeNodeState {
    const n = this.list.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  set(name: string, patch: Partial<FakeNodeState>): void {
    Object.assign(this.get(name), patch);
  }

  /** The World the invariants see. */
  world(): World {
    const simNode = (n: FakeNodeState) => ({
      name: n.name,
      role: n.role,
      state: n.state,
      actor: { getSnapshot: () => ({ context: { version: n.version, ready: n.ready } }) },
    });
    const w = {
      nodes: this.list.map(simNode),
      node: (name: string) => simNode(this.get(name)),
      indexOf: (name: string) => this.list.findIndex((n) => n.name === name),
      isBootable: (name: string) => this.get(name).bootable,
      isMidUpgrade: (name: string) => this.get(name).midUpgrade,
      nodeContext: (name: string) => ({ disk: { boot: this.get(name).boot } }),
      etcd: {
        hasQuorum: () => this.quorum,
        members: () => this.members,
        leader: () => this.leaderId,
        member: (id: string) => this.members.find((m) => m.id === id),
        lostWrites: () => this.lost,
      },
    };
    return w as unknown as World;
  }

  /** An env at `now`; `dirty` null means "look at every node". */
  env(
    opts: { now?: number; dirty?: string[] | null; target?: string | null; initial?: string } = {},
  ): InvariantEnv & { wakes: number[] } {
    const wakes: number[] = [];
    return {
      world: this.world(),
      faults: { nodesTakenOut: () => this.takenOut } as unknown as FaultRegistry,
      now: opts.now ?? 0,
      target: opts.target === undefined ? 'v1.8.0' : opts.target,
      initial: opts.initial ?? 'v1.7.6',
      wakeAt: (t: number) => wakes.push(t),
      dirty: opts.dirty === undefined || opts.dirty === null ? null : new Set(opts.dirty),
      wakes,
    };
  }
}

/** Five nodes: cp1..cp3, w1, w2. */
export function fiveNodes(): FakeWorld {
  return new FakeWorld([{ name: 'cp1' }, { name: 'cp2' }, { name: 'cp3' }, { name: 'w1' }, { name: 'w2' }]);
}

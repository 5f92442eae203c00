// The network between nodes: a fixed set of node names and the directed links that faults have cut.
// Pure data and logic; the engine decides when faults start and end (DESIGN.md, faults: partition).

/** One directed link that a fault cut: traffic from `from` to `to` is dropped. */
export interface LinkCut {
  from: string;
  to: string;
}

/**
 * Directed link cuts between a fixed list of nodes, reference-counted so that overlapping faults compose:
 * a link cut by two faults stays cut until both have healed it.
 *
 * Unknown node names, a node cut from itself and a heal without a matching cut are simulator bugs and throw.
 */
export class Network {
  readonly names: readonly string[];
  private readonly index: ReadonlyMap<string, number>;
  /** cutRefs[from * n + to] = how many active faults cut the link from -> to. */
  private readonly cutRefs: Int32Array;
  private versionValue = 0;
  /** How many directed links are cut now (with any reference count): 0 means one component. */
  private cutLinks = 0;
  /**
   * The last `components` answer and what it was for (the `among` list and the link version): a
   * checkpoint asks for the partition of every node, and recomputing it is O(nodes²) while links change
   * only when a fault starts or ends (issue 8).
   */
  private componentsCache: { version: number; among: readonly string[]; result: string[][] } | null = null;

  constructor(names: readonly string[]) {
    const index = new Map<string, number>();
    names.forEach((name, i) => {
      if (index.has(name)) throw new Error(`Network: duplicate node name '${name}'`);
      index.set(name, i);
    });
    this.names = [...names];
    this.index = index;
    this.cutRefs = new Int32Array(names.length * names.length);
  }

  /**
   * Incremented whenever the set of open links changes (a link goes from open to cut or back), so callers
   * can cache anything derived from connectivity. Reference-count changes that leave a link as it was do
   * not count: nothing observable changed.
   */
  get version(): number {
    return this.versionValue;
  }

  /** Cut the directed link from -> to (one more reference if it is already cut). */
  cut(from: string, to: string): void {
    const k = this.link(from, to, 'cut');
    const before = this.cutRefs[k] ?? 0;
    this.cutRefs[k] = before + 1;
    if (before === 0) this.linksChanged(+1);
  }

  /** Drop one reference to a cut of from -> to; the link opens again when no fault cuts it any more. */
  heal(from: string, to: string): void {
    const k = this.link(from, to, 'heal');
    const before = this.cutRefs[k] ?? 0;
    if (before === 0) throw new Error(`Network.heal: link ${from} -> ${to} is not cut`);
    this.cutRefs[k] = before - 1;
    if (before === 1) this.linksChanged(-1);
  }

  /**
   * Cut every link between nodes of different groups and return the cuts so the caller can `healCuts` them.
   * Nodes named in no group form one more, implicit group together (so `partition([['cp1']])` isolates cp1
   * from everyone else). With `oneWay`, only traffic from the first group to every other group (the
   * implicit one included) is dropped; replies in the other direction still flow. Empty groups are ignored.
   */
  partition(groups: readonly (readonly string[])[], oneWay = false): LinkCut[] {
    const groupOf = new Map<string, number>();
    groups.forEach((group, g) => {
      for (const name of group) {
        this.indexOf(name, 'partition');
        if (groupOf.has(name)) throw new Error(`Network.partition: node '${name}' is in more than one group`);
        groupOf.set(name, g);
      }
    });
    const all: string[][] = groups.map((group) => [...group]);
    const rest = this.names.filter((name) => !groupOf.has(name));
    if (rest.length > 0) all.push(rest);

    const cuts: LinkCut[] = [];
    const add = (from: string, to: string): void => {
      this.cut(from, to);
      cuts.push({ from, to });
    };
    for (let i = 0; i < all.length; i++) {
      // One-way: only the first group's outgoing traffic is dropped.
      if (oneWay && i > 0) break;
      for (let j = i + 1; j < all.length; j++) {
        for (const a of all[i] ?? []) {
          for (const b of all[j] ?? []) {
            add(a, b);
            if (!oneWay) add(b, a);
          }
        }
      }
    }
    return cuts;
  }

  /** Undo the cuts a `partition` (or any list of `cut`s) made. */
  healCuts(cuts: readonly LinkCut[]): void {
    for (const c of cuts) this.heal(c.from, c.to);
  }

  /** Whether a message from `from` reaches `to`. A node can always talk to itself. */
  canSend(from: string, to: string): boolean {
    if (from === to) {
      this.indexOf(from, 'canSend');
      return true;
    }
    return (this.cutRefs[this.link(from, to, 'canSend')] ?? 0) === 0;
  }

  /** Both directions open: what a request/response protocol (etcd peers, gRPC) needs. */
  connected(a: string, b: string): boolean {
    return this.canSend(a, b) && this.canSend(b, a);
  }

  /** Every change of the set of open links goes through here: it moves the version and drops the cache. */
  private linksChanged(delta: 1 | -1): void {
    this.cutLinks += delta;
    this.versionValue++;
    this.componentsCache = null;
  }

  /**
   * Connected components of `among` over two-way links. Components are ordered by their first node in the
   * constructor's order, and nodes inside a component likewise. Components are transitive: with overlapping
   * cuts two nodes of one component may be linked only through a third. The answer is cached until a link
   * changes (a fresh copy is returned, so callers may keep or change it).
   */
  components(among: readonly string[]): string[][] {
    const cached = this.componentsCache;
    if (cached === null || cached.version !== this.versionValue || !sameList(cached.among, among)) {
      const result = this.computeComponents(among);
      this.componentsCache = { version: this.versionValue, among: [...among], result };
      return result.map((c) => [...c]);
    }
    return cached.result.map((c) => [...c]);
  }

  private computeComponents(among: readonly string[]): string[][] {
    const nodes = [...new Set(among)];
    for (const name of nodes) this.indexOf(name, 'components');
    nodes.sort((a, b) => this.indexOf(a, 'components') - this.indexOf(b, 'components'));
    // No link is cut: everyone is in one component (the common case, O(n log n) instead of O(n²)).
    if (this.cutLinks === 0) return nodes.length === 0 ? [] : [nodes];
    const seen = new Set<string>();
    const result: string[][] = [];
    for (const start of nodes) {
      if (seen.has(start)) continue;
      seen.add(start);
      const component = [start];
      for (let i = 0; i < component.length; i++) {
        const a = component[i] as string;
        for (const b of nodes) {
          if (!seen.has(b) && this.connected(a, b)) {
            seen.add(b);
            component.push(b);
          }
        }
      }
      component.sort((a, b) => this.indexOf(a, 'components') - this.indexOf(b, 'components'));
      result.push(component);
    }
    return result;
  }

  /** The current partition of all nodes as groups, for trace checkpoints (see `components`). */
  describe(): string[][] {
    return this.components(this.names);
  }

  /** The directed links that are cut now, in constructor order of (from, to). */
  cuts(): LinkCut[] {
    const n = this.names.length;
    const out: LinkCut[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if ((this.cutRefs[i * n + j] ?? 0) > 0)
          out.push({ from: this.names[i] as string, to: this.names[j] as string });
      }
    }
    return out;
  }

  private indexOf(name: string, fn: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`Network.${fn}: unknown node '${name}'`);
    return i;
  }

  private link(from: string, to: string, fn: string): number {
    const i = this.indexOf(from, fn);
    const j = this.indexOf(to, fn);
    if (i === j) throw new Error(`Network.${fn}: a node cannot be cut from itself ('${from}')`);
    return i * this.names.length + j;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

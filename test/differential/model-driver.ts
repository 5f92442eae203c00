// Drives a differential case on the model: an EtcdCluster on its own virtual clock (advance()), with a
// Network for cuts. Deterministic: the same case always gives the same outcomes.
import { EtcdCluster } from '../../models/etcd-cluster.js';
import { Network } from '../../models/network.js';
import { Bindings, FAST_MS, type Case, type Step } from './steps.js';

const ALL = ['n1', 'n2', 'n3', 'n4', 'n5'];
const TICK_MS = 10;

export function runOnModel(c: Case): string[] {
  const net = new Network(ALL);
  const etcd = new EtcdCluster({ connectivity: (a, b) => net.connected(a, b) });
  etcd.bootstrap(c.members);
  const refs = new Bindings();
  let writeId = 0;
  const idOf = (name: string): string | null => etcd.memberByName(name)?.id ?? null;
  const leaderName = (): string | null => {
    const l = etcd.leader();
    return l === null ? null : (etcd.member(l)?.name ?? null);
  };

  const run = (s: Step): string => {
    switch (s.op) {
      case 'bind': {
        const l = leaderName();
        if (l === null) return 'none';
        refs.bind(l, c.members);
        return 'ok';
      }
      case 'put': {
        const r = etcd.write(++writeId, refs.resolve(s.via));
        return r.ok ? 'ok' : r.error.code;
      }
      case 'get': {
        const id = idOf(refs.resolve(s.via));
        if (id === null) return 'unavailable';
        const e = s.serializable ? etcd.serializableReadError(id) : etcd.linearizableReadError(id);
        return e === null ? 'ok' : e.code;
      }
      case 'addLearner': {
        const r = etcd.addLearner(refs.resolve(s.name), refs.resolve(s.via));
        return r.ok ? 'ok' : r.error.code;
      }
      case 'promote':
      case 'remove': {
        const id = idOf(refs.resolve(s.name));
        if (id === null) return 'member-not-found';
        const r =
          s.op === 'promote'
            ? etcd.promote(id, refs.resolve(s.via))
            : etcd.removeMember(id, refs.resolve(s.via));
        return r.ok ? 'ok' : r.error.code;
      }
      case 'stop':
      case 'kill': {
        const id = idOf(refs.resolve(s.name));
        if (id !== null) etcd.stop(id, s.op === 'stop');
        return 'ok';
      }
      case 'start': {
        const name = refs.resolve(s.name);
        // A removed member is no longer listed under its name: start it by the id it had.
        const id = idOf(name) ?? removedIdOf(name);
        if (id === null) return 'member-not-found';
        const m = etcd.member(id);
        if (m?.started) return 'ok';
        const r = etcd.start(id);
        return r.ok ? 'ok' : r.error.code;
      }
      case 'wipe': {
        const id = idOf(refs.resolve(s.name));
        if (id !== null) etcd.dataLost(id);
        return 'ok';
      }
      case 'isolate': {
        const name = refs.resolve(s.name);
        for (const o of ALL) {
          if (o === name) continue;
          if (s.dir !== 'incoming') net.cut(name, o);
          if (s.dir !== 'outgoing') net.cut(o, name);
        }
        etcd.recompute();
        return 'ok';
      }
      case 'heal':
        net.healCuts(net.cuts());
        etcd.recompute();
        return 'ok';
      case 'age':
        etcd.advance(s.ms);
        return 'ok';
      case 'leader': {
        const not = s.not === undefined ? null : refs.resolve(s.not);
        for (let t = 0; t <= s.maxMs; t += TICK_MS) {
          const l = leaderName();
          if (l !== null && l !== not) {
            if (s.timed === false) return 'leader';
            return t < FAST_MS ? 'fast' : 'election';
          }
          etcd.advance(TICK_MS);
        }
        return 'none';
      }
      case 'lost':
        return etcd.lostWrites().length > 0 ? 'lost' : 'kept';
    }
  };

  // The model keeps removed members by id only; remember the last id each name had.
  const lastId = new Map<string, string>();
  const removedIdOf = (name: string): string | null => lastId.get(name) ?? null;
  return c.steps.map((s) => {
    for (const m of etcd.members()) lastId.set(m.name, m.id);
    return run(s);
  });
}

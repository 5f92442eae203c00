// Model effects to trace lines: what a node's model emits (state changes, boot decisions, slot writes,
// META, upgrade steps, API replies, requests to etcd and Kubernetes) and what the etcd cluster model
// reports (leader, membership, truncation) become trace events, node bookkeeping (waiting sets,
// mid-upgrade, replies) and calls to the etcd driver (etcd-driver.ts), in the order they were emitted.
import type { EtcdChange } from '../../models/etcd-cluster.js';
import type { NodeEmitted } from '../../models/node.js';
import { ETCD_RPC_MS } from './etcd-driver.js';
import type { SimNode, World } from './world.js';

export function nodeEffect(w: World, node: SimNode, e: NodeEmitted): void {
  const name = node.name;
  w.markDirty(name);
  switch (e.type) {
    case 'state': {
      node.state = e.state;
      const c = node.actor.getSnapshot().context;
      if (e.state !== 'init') node.waitingForEtcd = false;
      if (e.state !== 'running') node.waitingForKube = false;
      w.trace({
        type: 'node.state',
        node: name,
        state: e.state,
        version: c.version,
        slot: c.bootedSlot,
      });
      return;
    }
    case 'boot.decision':
      w.trace({ type: 'boot.decision', node: name, slot: e.slot, reason: e.reason, mode: e.mode });
      return;
    case 'boot.failed':
      w.trace({
        type: 'boot.failed',
        node: name,
        stage: e.stage,
        version: e.version,
        reverted: e.reverted,
      });
      return;
    case 'slot.write':
      w.trace({ type: 'slot.write', node: name, slot: e.slot, version: e.version, phase: e.phase });
      return;
    case 'bootloader.flip':
      w.trace({ type: 'bootloader.flip', node: name, default: e.default, fallback: e.fallback });
      return;
    case 'meta':
      w.trace({ type: 'meta', node: name, key: e.key, value: e.value });
      return;
    case 'disk.wipe':
      w.trace({ type: 'disk.wipe', node: name, label: e.label });
      return;
    case 'ready':
      node.midUpgrade = false;
      w.trace({ type: 'node.ready', node: name, version: e.version });
      return;
    case 'upgrade.step':
      if (e.step === 'request') node.previousVersion = node.actor.getSnapshot().context.version;
      if (e.step === 'accepted') node.midUpgrade = true;
      // Refused, or a 1.13 live install that failed and stopped without a reboot (F§3).
      if (e.step === 'refused' || e.step === 'stopped') node.midUpgrade = false;
      w.trace(
        e.detail === undefined
          ? { type: 'upgrade.step', node: name, step: e.step }
          : { type: 'upgrade.step', node: name, step: e.step, detail: e.detail },
      );
      return;
    case 'api.reply': {
      const done = w.takeReply(e.requestId);
      if (done) done(e.ok, e.detail);
      return;
    }
    case 'kube.awaitNodeReady':
      node.waitingForKube = true;
      w.addWaiting(node);
      return;
    case 'etcd.start':
      node.waitingForEtcd = true;
      w.addWaiting(node);
      w.scheduler.after(0, () => w.etcdDriver.startService(node));
      return;
    case 'etcd.stop': {
      if (!node.etcd) return;
      node.waitingForEtcd = false;
      const m = w.etcdDriver.memberOf(node);
      if (m && !e.graceful) {
        w.etcd.crash(m);
        w.markEtcdDirty();
      }
      node.etcd.send({ type: 'STOP' });
      return;
    }
    case 'etcd.dataWiped': {
      const m = w.etcdDriver.memberOf(node);
      if (m) {
        w.etcd.dataLost(m);
        w.markEtcdDirty();
      }
      // A running member whose data vanished dies with it.
      if (node.etcdState === 'running' || node.etcdState === 'learner') {
        w.scheduler.after(0, () => node.etcd?.send({ type: 'EXITED', reason: 'data dir removed' }));
      }
      return;
    }
    case 'etcd.leave':
      w.scheduler.after(ETCD_RPC_MS, () => w.etcdDriver.leave(node));
      return;
    case 'kube.api':
      w.scheduler.after(ETCD_RPC_MS, () => w.etcdDriver.kubeApi(node, e.purpose, w.scheduler.now));
      return;
    case 'precheck':
      w.scheduler.after(ETCD_RPC_MS, () => w.etcdDriver.precheck(node, e.rules, e.preserve));
      return;
  }
}

export function etcdChange(w: World, change: EtcdChange): void {
  switch (change.type) {
    case 'leader':
      w.trace({ type: 'etcd.leader', leader: change.leader, term: change.term });
      return;
    case 'commit':
      return;
    case 'truncated':
      w.trace({
        type: 'etcd.member',
        node: '-',
        member: '-',
        change: 'log-truncated',
        detail: `to index ${change.toIndex}, ${change.lostAcknowledged} acknowledged writes lost`,
      });
      return;
    default: {
      const nodeName = change.name;
      w.trace({
        type: 'etcd.member',
        node: nodeName,
        member: change.id,
        change: change.type,
        ...(change.detail ? { detail: change.detail } : {}),
      });
      // A member removed while its process runs exits "permanently removed" (F§4).
      if (change.type === 'removed') {
        const n = w.byName.get(nodeName);
        if (n && (n.etcdState === 'running' || n.etcdState === 'learner')) {
          w.scheduler.after(0, () =>
            n.etcd?.send({
              type: 'EXITED',
              reason: 'the member has been permanently removed from the cluster',
            }),
          );
        }
      }
    }
  }
}

// The side panel: the whole cluster state at the cursor (nearest checkpoint + events after it) and the
// events around the cursor, for each open run.
import type { Model } from '../model/build.js';
import { eventsUpTo } from '../model/state-at.js';
import type { ClusterView, NodeView } from '../model/state.js';
import { describeEvent, nodeOf } from '../trace/events.js';
import { fmtTime } from './time.js';

const AROUND = 6;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function etcdText(n: NodeView, leader: string | null): string {
  if (!n.etcd) return '—';
  const e = n.etcd;
  if (e.crashLoop) return 'crash-looping';
  if (e.role === 'absent') return 'absent';
  return `${e.role}${e.started ? '' : ' (stopped)'}${leader === n.name ? ' ★ leader' : ''}`;
}

function slotsText(n: NodeView): string {
  const s = (label: 'A' | 'B') => {
    const v = n.slots[label];
    const mark = n.bootDefault === label ? '*' : n.bootFallback === label ? '↩' : '';
    return `${label}${mark}: ${v ? `${v.version}${v.intact ? '' : ' (torn)'}` : 'empty'}`;
  };
  return `${s('A')}  ${s('B')}`;
}

function kv(dl: HTMLElement, k: string, v: string, cls = ''): void {
  dl.append(el('dt', {}, k), el('dd', cls ? { class: cls } : {}, v));
}

export function renderPanel(
  root: HTMLElement,
  runs: readonly { model: Model; state: ClusterView }[],
  cursorMs: number,
  onJump: (tMs: number) => void,
): void {
  root.replaceChildren();
  root.append(el('h2', {}, `State at ${fmtTime(cursorMs)}`));
  for (const { model, state } of runs) {
    const sec = el('section', { class: 'run-state', 'data-run': model.name });
    if (runs.length > 1) sec.append(el('h3', {}, model.name));
    const dl = el('dl', { class: 'cluster-state' });
    const quorum = !state.formed ? 'forming' : state.leader !== null ? 'held' : 'LOST';
    kv(dl, 'etcd quorum', quorum, quorum === 'LOST' ? 'bad' : '');
    kv(dl, 'leader', state.leader === null ? 'none' : `${state.leader} (term ${state.term})`);
    kv(dl, 'members', `${state.voters} voters, ${state.learners} learners`);
    kv(dl, 'commit index', String(state.commitIndex));
    kv(
      dl,
      'writes',
      `${state.writesOk} acknowledged, ${state.writesFailed} failed`,
      state.writesFailed > 0 ? 'warn' : '',
    );
    kv(dl, 'phase', state.phase ?? '—');
    kv(
      dl,
      'faults',
      state.faults.length === 0
        ? 'none'
        : state.faults
            .map(
              (f) =>
                `${f.fault}${f.node ? ` ${f.node}` : ''} (#${f.id}, since ${fmtTime(f.sinceMs)}): ${f.detail}`,
            )
            .join('; '),
      state.faults.length > 0 ? 'warn' : '',
    );
    kv(
      dl,
      'network',
      state.partitions.length <= 1
        ? 'connected'
        : state.partitions.map((g) => `[${g.join(' ')}]`).join(' | '),
    );
    kv(dl, 'violations so far', String(state.violations), state.violations > 0 ? 'bad' : '');
    sec.append(dl);

    const table = el('table', { class: 'node-state' });
    const head = el('tr');
    for (const h of [
      'node',
      'stage',
      'booted',
      'Ready',
      'upgrade step',
      'META fallback',
      'etcd',
      'slots (*default ↩fallback)',
    ])
      head.append(el('th', {}, h));
    table.append(head);
    for (const n of state.nodes) {
      const tr = el('tr', { 'data-node': n.name });
      tr.append(
        el('td', {}, n.name),
        el('td', { class: n.state === 'bootFailed' ? 'bad' : '' }, n.state),
        el('td', {}, n.slot === null ? '—' : `${n.slot} ${n.version ?? '?'}`),
        el('td', {}, n.ready ? 'yes' : 'no'),
        el('td', {}, n.upgradeStep ?? '—'),
        el('td', {}, n.metaFallback === null ? '—' : `pending (${n.metaFallback})`),
        el('td', { class: n.etcd?.crashLoop ? 'bad' : '' }, etcdText(n, state.leader)),
      );
      // The disk, on its own line: BOOT slots with the bootloader's default (*) and fallback (↩).
      const disk = el('tr', { class: 'slots-row' });
      disk.append(el('td'), el('td', { class: 'slots', colspan: '6' }, `slots ${slotsText(n)}`));
      table.append(tr, disk);
    }
    sec.append(
      table,
      el('p', { class: 'hint' }, 'slots: * bootloader default, ↩ fallback, (torn) written halfway'),
    );

    // Events around the cursor (etcd writes are summarised in the writes line above).
    const evs = model.events;
    const at = eventsUpTo(evs, cursorMs);
    const from = Math.max(0, at - AROUND);
    const to = Math.min(evs.length, at + AROUND);
    const list = el('ol', { class: 'events' });
    for (let i = from; i < to; i++) {
      const e = evs[i]!;
      const li = el('li', {
        class: `${i < at ? 'past' : 'future'} ev-${e.type.replace(/[^a-z]/gi, '-')}`,
        'data-t': String(e.t),
      });
      li.append(
        el('span', { class: 'ev-t' }, fmtTime(e.t)),
        el('span', { class: 'ev-node' }, nodeOf(e) ?? ''),
        el('span', { class: 'ev-text' }, describeEvent(e)),
      );
      li.addEventListener('click', () => onJump(e.t));
      if (i === at) list.append(el('li', { class: 'now' }, `— cursor ${fmtTime(cursorMs)} —`));
      list.append(li);
    }
    if (at === to) list.append(el('li', { class: 'now' }, `— cursor ${fmtTime(cursorMs)} —`));
    sec.append(el('h4', {}, 'events around the cursor'), list);
    root.append(sec);
  }
}

// The legend: every colour and symbol the lanes use, with what it means.
import * as P from './palette.js';

function swatch(colour: string, label: string, cls = ''): HTMLElement {
  const item = document.createElement('span');
  item.className = `legend-item ${cls}`.trim();
  const s = document.createElement('i');
  s.style.background = colour;
  item.append(s, document.createTextNode(label));
  return item;
}

function symbol(sym: string, label: string, colour: string): HTMLElement {
  const item = document.createElement('span');
  item.className = 'legend-item';
  const s = document.createElement('b');
  s.textContent = sym;
  s.style.color = colour;
  item.append(s, document.createTextNode(label));
  return item;
}

export function renderLegend(root: HTMLElement): void {
  root.replaceChildren();
  const group = (title: string, items: HTMLElement[]) => {
    const g = document.createElement('div');
    g.className = 'legend-group';
    const h = document.createElement('strong');
    h.textContent = title;
    g.append(h, ...items);
    root.append(g);
  };
  group(
    'stage',
    Object.entries(P.STAGE_COLOURS).map(([k, c]) => swatch(c, k)),
  );
  group('upgrade step', [
    swatch(P.STEP_COLOURS.request!, 'request / pre-checks'),
    swatch(P.STEP_COLOURS.drain!, 'cordon / drain'),
    swatch(P.STEP_COLOURS['leave-etcd']!, 'stop services / leave etcd'),
    swatch(P.STEP_COLOURS['leave-etcd-retry']!, 'leave retry'),
    swatch(P.STEP_COLOURS.install!, 'install (write slot)'),
    swatch(P.STEP_COLOURS.flip!, 'flip'),
    swatch(P.STEP_COLOURS.reboot!, 'reboot'),
    symbol('✓', 'proven', '#000'),
    symbol('↺', 'reverted', P.VIOLATION),
    symbol('✗', 'failed', P.VIOLATION),
  ]);
  group('etcd', [
    ...Object.entries(P.ETCD_COLOURS).map(([k, c]) => swatch(c, k)),
    swatch(P.LEADER, 'leader (stripe)', 'thin'),
  ]);
  group('cluster', [
    swatch(P.QUORUM_COLOURS.held!, 'quorum held'),
    swatch(P.QUORUM_COLOURS.lost!, 'quorum lost'),
    swatch(P.WRITE_OK, 'writes acknowledged'),
    swatch(P.WRITE_FAILED, 'writes failed'),
    swatch(P.FAULT, 'fault'),
    swatch(P.PARTITION, 'partition'),
    swatch(P.META_PENDING, 'META fallback pending'),
    swatch(P.READY, 'Ready'),
    symbol('▼', 'violation', P.VIOLATION),
  ]);
  group('other', [
    swatch(
      'repeating-linear-gradient(45deg,#999 0 2px,#ddd 2px 4px)',
      'several values in one pixel (zoom in)',
    ),
  ]);
}

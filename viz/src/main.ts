// The page: loads traces (URL, file picker, drag-and-drop) through the worker, keeps the view (visible
// range, cursor, play state) and re-renders each run on change. Pipeline: parse -> model (worker) ->
// transforms (LOD, in buildScene) -> render (canvas lanes + SVG overlay + side panel).
import { select, zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior } from 'd3';
import type { Model } from './model/build.js';
import { stateAt } from './model/state-at.js';
import { drawScene } from './render/canvas.js';
import { GUTTER_PX, layoutRun, type Layout } from './render/layout.js';
import { renderLegend } from './render/legend.js';
import { renderOverlay } from './render/overlay.js';
import { renderPanel } from './render/panel.js';
import { buildScene, type Scene } from './render/scene.js';
import { fmtTime } from './render/time.js';
import type { LoadReply, LoadRequest, LoadSource } from './trace/worker.js';
import { jumpTimes, nextJump, type JumpKind } from './ui/jumps.js';
import { readUrl, writeUrl } from './ui/url.js';

interface Run {
  model: Model;
  layout: Layout;
  section: HTMLElement;
  canvas: HTMLCanvasElement;
  svg: SVGSVGElement;
  scene: Scene | null;
  source: string | null;
}

interface Stats {
  /** Reading + parsing + building the model in the worker (overlapped). */
  workerMs: number;
  firstRenderMs: number;
  lastRenderMs: number;
  loadToRenderMs: number;
  events: number;
  bytes: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const timeline = $('timeline');
const panel = $('panel');
const scrubber = $<HTMLInputElement>('scrubber');
const message = $('message');
const runInfo = $('run-info');
const exportInfo = $('export');
const playBtn = $<HTMLButtonElement>('play');
const speedSel = $<HTMLSelectElement>('speed');
const tooltip = $('tooltip');

const initialUrl = readUrl(location.search);
const runs: (Run | null)[] = [null, null];
const versions: string[] = [];
let fullEndMs = 1;
let startMs = 0;
let endMs = 1;
let cursorMs = 0;
let playing = false;
let applyInitialView = true;
let renderQueued = false;
const stats: Stats = {
  workerMs: 0,
  firstRenderMs: 0,
  lastRenderMs: 0,
  loadToRenderMs: 0,
  events: 0,
  bytes: 0,
};
(globalThis as unknown as { __viz: unknown }).__viz = { stats, ready: false, error: null as string | null };
const vizGlobal = (globalThis as unknown as { __viz: { stats: Stats; ready: boolean; error: string | null } })
  .__viz;

const worker = new Worker(new URL('./trace/worker.ts', import.meta.url), { type: 'module' });
let nextId = 1;
const pending = new Map<number, { slot: 0 | 1; source: string | null; t0: number }>();

function showMessage(text: string, kind: 'error' | 'notice'): void {
  message.hidden = false;
  message.className = kind;
  message.textContent = text;
}

function clearMessage(): void {
  message.hidden = true;
  message.textContent = '';
}

function load(slot: 0 | 1, req: LoadSource, source: string | null): void {
  const id = nextId++;
  pending.set(id, { slot, source, t0: performance.now() });
  vizGlobal.ready = false;
  runInfo.textContent = `loading ${req.name}…`;
  worker.postMessage({ ...req, id } as LoadRequest);
}

worker.onmessage = (ev: MessageEvent<LoadReply>) => {
  const reply = ev.data;
  const p = pending.get(reply.id);
  if (!p) return;
  pending.delete(reply.id);
  if (!reply.ok) {
    vizGlobal.error = reply.message;
    showMessage(reply.message, 'error');
    vizGlobal.ready = pending.size === 0;
    if (runs[0] || runs[1]) updateInfo();
    else runInfo.textContent = 'no trace open';
    return;
  }
  vizGlobal.error = null;
  stats.workerMs = reply.loadMs;
  stats.bytes = reply.bytes;
  stats.events = Object.values(reply.model.counts).reduce((a, b) => a + b, 0);
  setRun(p.slot, reply.model, p.source);
  const r0 = performance.now();
  renderNow();
  stats.firstRenderMs = performance.now() - r0;
  stats.loadToRenderMs = performance.now() - p.t0;
  vizGlobal.ready = pending.size === 0;
};

function setRun(slot: 0 | 1, model: Model, source: string | null): void {
  const old = runs[slot];
  old?.section.remove();
  $('welcome').hidden = true;
  const section = document.createElement('section');
  section.className = 'run';
  section.dataset.slot = String(slot);
  const canvas = document.createElement('canvas');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  section.append(canvas, svg);
  if (slot === 0) timeline.prepend(section);
  else timeline.append(section);
  runs[slot] = { model, layout: layoutRun(model), section, canvas, svg, scene: null, source };
  const prevFullMs = fullEndMs;
  fullEndMs = Math.max(1, ...runs.filter((r): r is Run => r !== null).map((r) => r.model.endMs));
  if (applyInitialView) {
    // The first run to arrive takes the view from the URL (a shared link reproduces the view).
    applyInitialView = false;
    startMs = clamp(initialUrl.fromMs ?? 0, 0, fullEndMs);
    endMs = clamp(initialUrl.toMs ?? fullEndMs, startMs + 1, fullEndMs);
    cursorMs = clamp(initialUrl.cursorMs ?? startMs, 0, fullEndMs);
  } else if (slot === 0) {
    startMs = 0;
    endMs = fullEndMs;
    cursorMs = 0;
  } else if (endMs >= prevFullMs) {
    // A comparison opened later keeps the view; a view that showed the whole run grows with a longer run.
    endMs = fullEndMs;
  }
  scrubber.max = String(fullEndMs);
  syncZoom();
  const notices: string[] = [];
  for (const r of runs) {
    if (r?.model.partial && r.model.stoppedAt) {
      const s = r.model.stoppedAt;
      notices.push(
        `${r.model.name} is a partial trace: line ${s.line}: ${s.message}. Expected ${s.expected}; found: ${s.found}. Showing what it has, up to ${fmtTime(r.model.endMs)}.`,
      );
    }
  }
  if (notices.length > 0) showMessage(notices.join('\n'), 'notice');
  else clearMessage();
  updateInfo();
}

function updateInfo(): void {
  const open = runs.filter((r): r is Run => r !== null);
  runInfo.replaceChildren();
  for (const r of open) {
    const h = r.model.header;
    const span = document.createElement('span');
    span.className = 'run-chip';
    const failed = r.model.footer?.verdicts.filter((v) => !v.ok).map((v) => v.invariant) ?? [];
    const verdict =
      r.model.footer === null
        ? 'partial'
        : failed.length > 0
          ? `FAIL ${failed.join(', ')}`
          : 'all invariants hold';
    span.textContent = `${h.scenario} · seed ${h.seed} · ${h.profile} · ${fmtTime(r.model.endMs)} · ${verdict}`;
    span.classList.add(r.model.footer === null ? 'partial' : failed.length > 0 ? 'bad' : 'good');
    span.title = `${r.model.name} (${h.file}), ${stats.events.toLocaleString()} events`;
    runInfo.append(span);
  }
  exportInfo.replaceChildren();
  const first = open[0];
  if (first) {
    const src = first.source;
    if (src !== null && /^\/trace\/\d\//.test(src)) {
      // Served by `upgradelab viz`: the server exports the same way `upgradelab export` does.
      const a = document.createElement('a');
      a.href = `${src.replace(/\.jsonl$/, '')}.chrome.json`;
      a.download = `${first.model.header.scenario}.chrome.json`;
      a.textContent = 'Export for Perfetto';
      a.title = 'Chrome Trace Event JSON (same as `upgradelab export`); open it in ui.perfetto.dev';
      exportInfo.append(a);
    } else {
      const c = document.createElement('code');
      c.textContent = `upgradelab export ${first.model.name}`;
      c.title = 'Chrome Trace Event JSON for Perfetto (ui.perfetto.dev)';
      exportInfo.append('Perfetto: ', c);
    }
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function widthPx(): number {
  return Math.max(200, timeline.clientWidth - GUTTER_PX - 12);
}

// Zoom and pan (d3-zoom on x only): the transform maps [0, fullEndMs] onto the lane width.
const zoomer: ZoomBehavior<HTMLElement, unknown> = zoom<HTMLElement, unknown>()
  .filter((ev: Event) => {
    if (ev.type === 'wheel') return !(ev as WheelEvent).shiftKey;
    return !(ev as MouseEvent).button;
  })
  .on('zoom', (ev: D3ZoomEvent<HTMLElement, unknown>) => {
    if (syncing) return;
    const k = ev.transform.k;
    const w = widthPx();
    const span = fullEndMs / k;
    const from = (-ev.transform.x / (w * k)) * fullEndMs;
    startMs = clamp(from, 0, fullEndMs - span);
    endMs = startMs + span;
    scheduleRender();
  });
let syncing = false;

function syncZoom(): void {
  const w = widthPx();
  zoomer
    .scaleExtent([1, Math.max(1, fullEndMs / 20)])
    .translateExtent([
      [0, 0],
      [w, 0],
    ])
    .extent([
      [0, 0],
      [w, 0],
    ]);
  const k = fullEndMs / (endMs - startMs);
  syncing = true;
  zoomer.transform(select(timeline), zoomIdentity.translate((-startMs / fullEndMs) * w * k, 0).scale(k));
  syncing = false;
}
select(timeline).call(zoomer).on('dblclick.zoom', null);

function setView(from: number, to: number): void {
  const span = clamp(to - from, 20, fullEndMs);
  startMs = clamp(from, 0, fullEndMs - span);
  endMs = startMs + span;
  syncZoom();
  scheduleRender();
}

function zoomBy(factor: number): void {
  const centre = cursorMs >= startMs && cursorMs <= endMs ? cursorMs : (startMs + endMs) / 2;
  const span = (endMs - startMs) / factor;
  const frac = (centre - startMs) / (endMs - startMs);
  setView(centre - span * frac, centre - span * frac + span);
}

function setCursor(t: number, follow = true): void {
  cursorMs = clamp(Math.round(t), 0, fullEndMs);
  if (follow && (cursorMs < startMs || cursorMs > endMs)) {
    const span = endMs - startMs;
    setView(cursorMs - span / 2, cursorMs + span / 2);
  }
  scheduleRender();
}

function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderNow();
  });
}

let urlTimer = 0;
function renderNow(): void {
  const t0 = performance.now();
  const open = runs.filter((r): r is Run => r !== null);
  if (open.length === 0) return;
  const view = { startMs, endMs, widthPx: widthPx() };
  for (const r of open) {
    r.scene = buildScene(r.model, r.layout, view, versions);
    drawScene(r.canvas, r.scene, GUTTER_PX + view.widthPx, r.layout.heightPx, GUTTER_PX);
    renderOverlay(r.svg, r.model, view, {
      cursorMs,
      layout: r.layout,
      scene: r.scene,
      title: open.length > 1 ? `${r.model.header.scenario} (seed ${r.model.header.seed})` : '',
    });
  }
  renderPanel(
    panel,
    open.map((r) => ({ model: r.model, state: stateAt(r.model, cursorMs) })),
    cursorMs,
    (t) => setCursor(t),
  );
  scrubber.value = String(cursorMs);
  $('cursor-label').textContent = `cursor ${fmtTime(cursorMs)} of ${fmtTime(fullEndMs)}`;
  $('view-label').textContent =
    `showing ${fmtTime(startMs)} – ${fmtTime(endMs)} (${fmtTime(endMs - startMs)})`;
  stats.lastRenderMs = performance.now() - t0;
  // The URL keeps cursor and zoom (replaceState, throttled: browsers limit how often it may be called).
  clearTimeout(urlTimer);
  urlTimer = window.setTimeout(() => {
    const url = writeUrl({
      trace: open[0]?.source ?? initialUrl.trace,
      compare: runs[1]?.source ?? initialUrl.compare,
      cursorMs,
      fromMs: startMs,
      toMs: endMs,
    });
    history.replaceState(null, '', url === '' ? location.pathname : url);
  }, 150);
}

// Play: virtual time runs at `speed` x wall time.
let lastFrame = 0;
function frame(now: number): void {
  if (!playing) return;
  const dt = lastFrame === 0 ? 0 : now - lastFrame;
  lastFrame = now;
  const next = cursorMs + dt * Number(speedSel.value);
  if (next >= fullEndMs) {
    setCursor(fullEndMs);
    togglePlay(false);
    return;
  }
  setCursor(next);
  requestAnimationFrame(frame);
}
function togglePlay(on = !playing): void {
  playing = on && runs[0] !== null;
  playBtn.textContent = playing ? '❚❚ pause' : '▶ play';
  lastFrame = 0;
  if (playing) requestAnimationFrame(frame);
}

function jump(kind: JumpKind, dir: 1 | -1): void {
  const models = runs.filter((r): r is Run => r !== null).map((r) => r.model);
  const t = nextJump(jumpTimes(models, kind), cursorMs, dir);
  if (t !== null) setCursor(t);
}

// Events.
playBtn.addEventListener('click', () => togglePlay());
scrubber.addEventListener('input', () => setCursor(Number(scrubber.value)));
for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-jump]')) {
  b.addEventListener('click', () => jump(b.dataset.jump as JumpKind, Number(b.dataset.dir) === -1 ? -1 : 1));
}
$('zoom-in').addEventListener('click', () => zoomBy(2));
$('zoom-out').addEventListener('click', () => zoomBy(0.5));
$('zoom-reset').addEventListener('click', () => setView(0, fullEndMs));

timeline.addEventListener('click', (ev) => {
  const run = runs.find((r) => r?.section.contains(ev.target as Node));
  if (!run) return;
  const x = ev.clientX - run.section.getBoundingClientRect().left - GUTTER_PX;
  if (x < 0) return;
  setCursor(startMs + (x / widthPx()) * (endMs - startMs), false);
});

timeline.addEventListener('mousemove', (ev) => {
  const run = runs.find((r) => r?.section.contains(ev.target as Node));
  const box = run?.section.getBoundingClientRect();
  if (!run || !box || !run.scene) {
    tooltip.hidden = true;
    return;
  }
  const x = ev.clientX - box.left - GUTTER_PX;
  const y = ev.clientY - box.top;
  const row = run.layout.rows.find((r) => y >= r.y && y < r.y + r.h);
  const rect =
    row && run.scene.rects.find((r) => r.row === row.key && x >= r.x && x < r.x + Math.max(r.w, 1));
  if (!row || !rect?.source) {
    tooltip.hidden = true;
    return;
  }
  const s = rect.source;
  tooltip.hidden = false;
  tooltip.textContent = `${row.group ?? ''}${row.label}: ${rect.mixed ? `several values (zoom in), e.g. ${s.value}` : s.value}\n${fmtTime(s.startMs)} – ${fmtTime(s.endMs)} (${fmtTime(s.endMs - s.startMs)})`;
  tooltip.style.left = `${ev.clientX + 12}px`;
  tooltip.style.top = `${ev.clientY + 12}px`;
});
timeline.addEventListener('mouseleave', () => (tooltip.hidden = true));

document.addEventListener('keydown', (ev) => {
  if (ev.target instanceof HTMLInputElement && ev.target.type !== 'range') return;
  if (ev.target instanceof HTMLSelectElement) return;
  const span = endMs - startMs;
  const k = ev.key;
  const handled = (() => {
    switch (k) {
      case 'ArrowRight':
        setCursor(cursorMs + span * (ev.shiftKey ? 0.1 : 0.01));
        return true;
      case 'ArrowLeft':
        setCursor(cursorMs - span * (ev.shiftKey ? 0.1 : 0.01));
        return true;
      case '+':
      case '=':
        zoomBy(2);
        return true;
      case '-':
      case '_':
        zoomBy(0.5);
        return true;
      case '0':
        setView(0, fullEndMs);
        return true;
      case 'a':
      case 'A':
        setView(startMs - span * 0.2, endMs - span * 0.2);
        return true;
      case 'd':
      case 'D':
        setView(startMs + span * 0.2, endMs + span * 0.2);
        return true;
      case ' ':
        togglePlay();
        return true;
      case 'Home':
        setCursor(0);
        return true;
      case 'End':
        setCursor(fullEndMs);
        return true;
    }
    const jumpKey: Record<string, JumpKind> = { v: 'violation', f: 'fault', p: 'phase', u: 'step' };
    const kind = jumpKey[k.toLowerCase()];
    if (kind) {
      jump(kind, ev.shiftKey ? -1 : 1);
      return true;
    }
    return false;
  })();
  if (handled) ev.preventDefault();
});

// Opening files: picker, compare picker, drag-and-drop anywhere.
$<HTMLInputElement>('file-open').addEventListener('change', (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (f) load(0, { name: f.name, file: f }, null);
});
$<HTMLInputElement>('file-compare').addEventListener('change', (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (f) load(runs[0] ? 1 : 0, { name: f.name, file: f }, null);
});
const dropzone = $('dropzone');
document.addEventListener('dragover', (ev) => {
  ev.preventDefault();
  dropzone.hidden = false;
});
document.addEventListener('dragleave', (ev) => {
  if (ev.relatedTarget === null) dropzone.hidden = true;
});
document.addEventListener('drop', (ev) => {
  ev.preventDefault();
  dropzone.hidden = true;
  const files = [...(ev.dataTransfer?.files ?? [])];
  // One file opens it; two files open both for comparison; holding shift adds a file as the comparison.
  if (files.length >= 2) {
    load(0, { name: files[0]!.name, file: files[0]! }, null);
    load(1, { name: files[1]!.name, file: files[1]! }, null);
  } else if (files[0]) {
    load(ev.shiftKey && runs[0] ? 1 : 0, { name: files[0].name, file: files[0] }, null);
  }
});
window.addEventListener('resize', () => {
  syncZoom();
  scheduleRender();
});

renderLegend($('legend'));
panel.textContent = 'The cluster state at the cursor appears here once a trace is open.';
if (initialUrl.trace !== null)
  load(0, { name: nameOf(initialUrl.trace), url: initialUrl.trace }, initialUrl.trace);
if (initialUrl.compare !== null)
  load(1, { name: nameOf(initialUrl.compare), url: initialUrl.compare }, initialUrl.compare);
if (initialUrl.trace === null) vizGlobal.ready = true;

function nameOf(url: string): string {
  const clean = url.split(/[?#]/)[0] ?? url;
  return decodeURIComponent(clean.slice(clean.lastIndexOf('/') + 1)) || url;
}

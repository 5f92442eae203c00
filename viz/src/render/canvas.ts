// Render step 2: draws a scene on a canvas (the lanes of a large trace are too many elements for SVG).
import type { Scene } from './scene.js';

let hatch: CanvasPattern | null | undefined;

function hatchPattern(ctx: CanvasRenderingContext2D): CanvasPattern | null {
  if (hatch !== undefined) return hatch;
  const c = document.createElement('canvas');
  c.width = 4;
  c.height = 4;
  const g = c.getContext('2d');
  if (!g) return (hatch = null);
  g.strokeStyle = 'rgba(0,0,0,0.45)';
  g.beginPath();
  g.moveTo(0, 4);
  g.lineTo(4, 0);
  g.stroke();
  return (hatch = ctx.createPattern(c, 'repeat'));
}

/** Sizes the canvas for the device pixel ratio and draws `scene` offset by `x0` (the label gutter). */
export function drawScene(
  canvas: HTMLCanvasElement,
  scene: Scene,
  widthPx: number,
  heightPx: number,
  x0: number,
): void {
  const dpr = globalThis.devicePixelRatio || 1;
  // Resizing reallocates the canvas: only when the size changes, not on every frame of a zoom.
  const w = Math.round(widthPx * dpr);
  const h = Math.round(heightPx * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${widthPx}px`;
    canvas.style.height = `${heightPx}px`;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return; // no 2D canvas (jsdom in tests): the overlay still renders
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, widthPx, heightPx);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const pattern = hatchPattern(ctx);
  for (const r of scene.rects) {
    ctx.fillStyle = r.fill;
    ctx.fillRect(x0 + r.x, r.y, Math.max(r.w, 0.75), r.h);
    if (r.mixed && pattern) {
      ctx.fillStyle = pattern;
      ctx.fillRect(x0 + r.x, r.y, Math.max(r.w, 0.75), r.h);
    }
    if (r.text) {
      ctx.fillStyle = r.textFill;
      ctx.fillText(r.text, x0 + r.x + 3, r.y + r.h / 2 + 0.5);
    }
  }
  ctx.lineWidth = 1;
  for (const l of scene.lines) {
    ctx.strokeStyle = l.stroke;
    ctx.beginPath();
    l.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x0 + x, y) : ctx.lineTo(x0 + x, y)));
    ctx.stroke();
  }
}

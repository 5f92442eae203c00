// @vitest-environment jsdom
// Snapshots of the rendered structure for two fixed fixture traces (committed under test/viz/fixtures/ so
// model changes elsewhere do not move them): the SVG overlay, the side panel at a cursor and what the
// canvas would draw per row. Numbers are rounded to 0.1 px and there are no generated ids to normalise.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildModel, type Model } from '../../../viz/src/model/build.js';
import { stateAt } from '../../../viz/src/model/state-at.js';
import { layoutRun } from '../../../viz/src/render/layout.js';
import { renderOverlay } from '../../../viz/src/render/overlay.js';
import { renderPanel } from '../../../viz/src/render/panel.js';
import { buildScene } from '../../../viz/src/render/scene.js';

const FIXTURES = {
  'power-loss-costs-quorum': { cursorMs: 400_000 },
  'failed-boot-rollback': { cursorMs: 440_000 },
};

function load(name: string): Model {
  const r = buildModel(readFileSync(`test/viz/fixtures/${name}.jsonl`, 'utf8'), `${name}.jsonl`);
  if (!r.ok) throw new Error(r.error.message);
  return r.model;
}

/** Rounds every decimal number in serialised markup to one decimal place. */
function normalise(html: string): string {
  return html.replace(/-?\d+\.\d+/g, (n) => String(Math.round(Number(n) * 10) / 10)).replace(/></g, '>\n<');
}

describe.each(Object.entries(FIXTURES))('rendering %s', (name, { cursorMs }) => {
  const model = load(name);
  const layout = layoutRun(model);
  const view = { startMs: 0, endMs: model.endMs, widthPx: 900 };
  const scene = buildScene(model, layout, view, []);

  it('overlay SVG', () => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    renderOverlay(svg, model, view, { cursorMs, layout, scene, title: name });
    expect(svg.querySelectorAll('.violation-marker').length).toBe(model.violations.length);
    expect(normalise(svg.outerHTML)).toMatchSnapshot();
  });

  it('side panel at the cursor', () => {
    const root = document.createElement('aside');
    renderPanel(root, [{ model, state: stateAt(model, cursorMs) }], cursorMs, () => {});
    expect(normalise(root.outerHTML)).toMatchSnapshot();
  });

  it('canvas scene per row', () => {
    const rows: Record<string, string[]> = {};
    for (const r of scene.rects) {
      const key = r.row;
      // Write-rate bars are many; their count and total height stand for them.
      if (key.startsWith('writes')) continue;
      (rows[key] ??= []).push(
        `${Math.round(r.x * 10) / 10}..${Math.round((r.x + r.w) * 10) / 10} ${r.text ?? r.source?.value ?? ''} ${r.fill}${r.mixed ? ' mixed' : ''}`,
      );
    }
    const bars = scene.rects.filter((r) => r.row.startsWith('writes'));
    rows.writes = [`${bars.length} bars, ${Math.round(bars.reduce((a, b) => a + b.h, 0))} px total`];
    expect(rows).toMatchSnapshot();
  });
});

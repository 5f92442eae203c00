// End-to-end in a real browser: builds the viewer, starts `upgradelab viz` on a regression trace with a
// violation, and drives Debian's chromium (never a downloaded browser) through playwright-core: lanes,
// the violation marker, the scrubber and the state panel, jumping to the violation, a broken file and a
// partial one. Screenshots go to test-output/viz/ (git-ignored).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTraceFile } from '../../sim/trace/reader.js';
import { CHROMIUM, openViz, type VizSession } from '../helpers/viz-browser.js';

const OUT = 'test-output/viz';
const SCENARIO = 'scenarios/regression/t9789-permanently-removed.yaml';
const TRACE = join(OUT, 't9789-permanently-removed.jsonl');

let session: VizSession | null = null;
let page: Page;
let url = '';

/** The time label the page prints (viz/src/render/time.ts fmtTime), for the cases these tests use. */
function fmt(ms: number): string {
  const s = ms / 1000;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  const rest = String(s - h * 3600 - m * 60).padStart(2, '0');
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${rest}s`;
  return m > 0 ? `${m}m${rest}s` : `${Number(rest)}s`;
}

describe.skipIf(!existsSync(CHROMIUM))('viz in chromium', () => {
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    await build({ configFile: 'viz/vite.config.ts', logLevel: 'warn' });
    const run = spawnSync(process.execPath, ['dist/sim/cli/main.js', 'run', SCENARIO, '--out', TRACE], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0); // its expect: block (a violation) is met
    session = await openViz([TRACE]);
    page = session.page;
    url = session.url;
    expect(session.errors).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
  });

  const lines = () =>
    readFileSync(TRACE, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { kind: string; type?: string; t: number; message?: string });

  it('prints a 127.0.0.1 URL that opens the trace, and draws a lane group per node', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?trace=/);
    const header = JSON.parse(readFileSync(TRACE, 'utf8').split('\n')[0]!) as { nodes: { name: string }[] };
    const groups = await page.locator('svg.overlay .group-label').allTextContents();
    expect(groups[0]).toBe('cluster');
    expect(groups.slice(1).map((g) => g.split(' ')[0])).toEqual(header.nodes.map((n) => n.name));
    const rows = await page.locator('svg.overlay .row-label').allTextContents();
    for (const r of [
      'etcd quorum',
      'writes /s',
      'faults',
      'stage',
      'slot / version',
      'upgrade step',
      'etcd role',
    ])
      expect(rows).toContain(r);
    // The lanes are drawn on the canvas: it is sized to the overlay and not blank.
    const painted = await page.evaluate(() => {
      const c = document.querySelector('section.run canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return { n, w: c.width };
    });
    expect(painted.w).toBeGreaterThan(800);
    expect(painted.n).toBeGreaterThan(10_000);
    await page.screenshot({ path: join(OUT, 'overview.png') });
  });

  it('marks the violation in red with its message', async () => {
    const v = lines().find((l) => l.type === 'violation')!;
    expect(v).toBeDefined();
    const marker = page.locator('svg.overlay .violation-marker');
    await expect.poll(() => marker.count()).toBe(1);
    expect(await marker.getAttribute('data-t')).toBe(String(v.t));
    expect(await marker.locator('title').textContent()).toContain(v.message!);
    expect(await marker.locator('path').evaluate((p) => getComputedStyle(p).fill)).toBe('rgb(213, 94, 0)');
  });

  it('moving the scrubber shows the cluster state of the checkpoint at that time', async () => {
    // A checkpoint written as a delta (trace v2): the page must resolve it against the keyframe before it.
    const cps = readTraceFile(TRACE).checkpoints;
    const delta = new Set(lines().flatMap((l) => (l.kind === 'checkpoint-delta' ? [l.t] : [])));
    const cp = cps.slice(Math.floor(cps.length / 3)).find((c) => delta.has(c.t))!;
    expect(cp).toBeDefined();
    await page.locator('#scrubber').evaluate((el, t) => {
      const input = el as HTMLInputElement;
      input.value = String(t);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, cp.t);
    await expect.poll(() => page.locator('#panel h2').textContent()).toBe(`State at ${fmt(cp.t)}`);
    // The panel is redrawn after the heading on a loaded machine: poll every cell, not just the heading.
    const poll = { timeout: 10_000 };
    for (const n of cp.nodes) {
      const row = page.locator(`#panel tr[data-node="${n.name}"] td`);
      await expect.poll(() => row.nth(1).textContent(), poll).toBe(n.state);
      await expect
        .poll(() => row.nth(2).textContent(), poll)
        .toBe(n.bootedSlot === null ? '—' : `${n.bootedSlot} ${n.version}`);
      await expect.poll(() => row.nth(3).textContent(), poll).toBe(n.ready ? 'yes' : 'no');
    }
    await expect
      .poll(() => page.locator('#panel .cluster-state dd').nth(1).textContent(), poll)
      .toBe(cp.etcd.leader === null ? 'none' : `${cp.etcd.leader} (term ${cp.etcd.term})`);
    // The URL follows the cursor after a short debounce.
    await expect.poll(() => page.url(), poll).toContain(`t=${cp.t}`);
  });

  it('jumps to the violation and lists it among the events around the cursor', async () => {
    const v = lines().find((l) => l.type === 'violation')!;
    await page.keyboard.press('Home');
    await page.locator('#next-violation').click();
    await expect
      .poll(() => page.locator('#cursor-label').textContent())
      .toMatch(new RegExp(`^cursor ${fmt(v.t)} of`));
    const ev = page.locator('#panel li.ev-violation');
    expect(await ev.first().textContent()).toContain(v.message!);
    await page.screenshot({ path: join(OUT, 'violation.png') });
  });

  it('a newer-version file opened with the picker shows which line and what was expected', async () => {
    const header = readFileSync(TRACE, 'utf8').split('\n')[0]!.replace('"version":2', '"version":3');
    await page.locator('#file-open').setInputFiles({
      name: 'newer.jsonl',
      mimeType: 'text/plain',
      buffer: Buffer.from(`${header}\n`),
    });
    await expect.poll(() => page.locator('#message').textContent()).toContain('newer.jsonl, line 1');
    const msg = await page.locator('#message').textContent();
    expect(msg).toContain('trace version 3 is newer than this viewer, which reads version 2');
    expect(msg).toContain('Expected "version":1 or 2');
    expect(await page.locator('#message').isVisible()).toBe(true);
    await page.screenshot({ path: join(OUT, 'error-newer-version.png') });
  });

  it('a truncated trace dropped on the page renders what it has and says it is partial', async () => {
    const text = readFileSync(TRACE, 'utf8');
    // Cut in the middle of a line, as a crash while writing would.
    const cut = text.slice(0, text.indexOf('\n', Math.floor(text.length / 2)) - 5);
    const lineNo = cut.split('\n').length;
    await page.evaluate((body) => {
      const dt = new DataTransfer();
      dt.items.add(new File([body], 'crashed.jsonl', { type: 'text/plain' }));
      document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, cut);
    await expect
      .poll(() => page.locator('#message').textContent())
      .toContain('crashed.jsonl is a partial trace');
    expect(await page.locator('#message').textContent()).toContain(`line ${lineNo}: the trace is cut off`);
    expect(await page.locator('svg.overlay .group-label').count()).toBeGreaterThan(1);
    expect(await page.locator('.run-chip.partial').count()).toBe(1);
    await page.screenshot({ path: join(OUT, 'partial.png') });
  });
});

// Two runs, a bug and its fix (FACTS §5, T#9789), one above the other on one time axis.
const FIXED_SCENARIO = 'scenarios/regression/t9789-fixed-wipe-ephemeral.yaml';
const FIXED_TRACE = join(OUT, 't9789-fixed-wipe-ephemeral.jsonl');

describe.skipIf(!existsSync(CHROMIUM))('viz compares two runs in chromium', () => {
  let compare: VizSession | null = null;
  let p: Page;

  beforeAll(async () => {
    // The viewer was built and TRACE written by the describe block above (blocks run in order).
    const run = spawnSync(
      process.execPath,
      ['dist/sim/cli/main.js', 'run', FIXED_SCENARIO, '--out', FIXED_TRACE],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    compare = await openViz([TRACE, FIXED_TRACE]);
    p = compare.page;
    expect(compare.errors).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await compare?.close();
  });

  const headerOf = (file: string) =>
    JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!) as { scenario: string; seed: number };
  const violationsIn = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"type":"violation"')).length;
  const section = (slot: number) => p.locator(`section.run[data-slot="${slot}"]`);
  const tickLabels = (slot: number) =>
    section(slot).locator('svg.overlay g.axis > text:not(.axis-unit):not(.run-title)').allTextContents();

  it('puts the first trace above the second, each titled with its scenario and seed', async () => {
    expect(compare!.url).toMatch(/\?trace=[^&]+&compare=/);
    expect(await p.locator('section.run').count()).toBe(2);
    const [a, b] = [headerOf(TRACE), headerOf(FIXED_TRACE)];
    expect(await section(0).locator('.run-title').textContent()).toBe(`${a.scenario} (seed ${a.seed})`);
    expect(await section(1).locator('.run-title').textContent()).toBe(`${b.scenario} (seed ${b.seed})`);
    const [boxA, boxB] = [await section(0).boundingBox(), await section(1).boundingBox()];
    expect(boxB!.y).toBeGreaterThanOrEqual(boxA!.y + boxA!.height - 1);
    // One chip per run: the bug fails an invariant, the fix holds them all.
    const chips = p.locator('#run-info .run-chip');
    expect(await chips.count()).toBe(2);
    expect(await chips.nth(0).getAttribute('class')).toContain('bad');
    expect(await chips.nth(1).getAttribute('class')).toContain('good');
    await p.screenshot({ path: join(OUT, 'compare.png') });
  });

  it('marks violations only on the run that has them', async () => {
    expect(violationsIn(TRACE)).toBeGreaterThan(0);
    expect(violationsIn(FIXED_TRACE)).toBe(0);
    expect(await section(0).locator('.violation-marker').count()).toBeGreaterThan(0);
    expect(await section(1).locator('.violation-marker').count()).toBe(0);
  });

  it('shares one time axis and one cursor, also after zooming', async () => {
    const before = await tickLabels(0);
    expect(await tickLabels(1)).toEqual(before);
    await p.keyboard.press('+');
    await p.keyboard.press('+');
    // Read both panes in the same poll: each redraws on its own frame, so a pane read
    // once before polling the other may still show the domain from before the zoom.
    await expect
      .poll(async () => {
        const [a, b] = [await tickLabels(0), await tickLabels(1)];
        const zoomed = JSON.stringify(a) !== JSON.stringify(before);
        return zoomed && JSON.stringify(a) === JSON.stringify(b)
          ? 'same zoomed axis'
          : JSON.stringify({ a, b });
      })
      .toBe('same zoomed axis');
    const t = 300_000;
    await p.locator('#scrubber').evaluate((el, v) => {
      const input = el as HTMLInputElement;
      input.value = String(v);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, t);
    for (const slot of [0, 1])
      await expect.poll(() => section(slot).locator('g.cursor text').textContent()).toBe(fmt(t));
  });
});

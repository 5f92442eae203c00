// npm run bench:viz [OPENS]: how long the viewer takes to open a 1,000,000-event trace in Chromium (Debian's,
// never a downloaded browser), read from the page itself (viz/src/main.ts exposes __viz.stats), and how
// long a frame takes while zooming, scrubbing and panning. The same-run baseline is the time the page needs
// just to fetch the same bytes from the same server, so the ratio means something on a shared machine.
// The trace is generated once from bench/viz-large.yaml into test-output/bench/ (about a minute).
//   cold   a new browser profile each time: nothing compiled or cached yet (what a user sees first)
//   warm   the same page opening the trace again
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { CHROMIUM, launchChromium, serveViz } from '../test/helpers/viz-browser.js';

const SCENARIO = 'bench/viz-large.yaml';
const TRACE = 'test-output/bench/viz-large.jsonl';
const OPENS = Number(process.argv[2] ?? 3);
if (!Number.isInteger(OPENS) || OPENS < 1 || OPENS > 20) {
  process.stderr.write(`bench:viz: OPENS must be a whole number from 1 to 20, not ${process.argv[2]}\n`);
  process.exit(2);
}

interface Stats {
  workerMs: number;
  loadToRenderMs: number;
  firstRenderMs: number;
  events: number;
  bytes: number;
}

function generate(): void {
  if (existsSync(TRACE) && statSync(TRACE).mtimeMs > statSync(SCENARIO).mtimeMs) return;
  mkdirSync('test-output/bench', { recursive: true });
  process.stdout.write(`generating ${TRACE} from ${SCENARIO} (about a minute)...\n`);
  const r = spawnSync(process.execPath, ['dist/sim/cli/main.js', 'run', SCENARIO, '--out', TRACE], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Exit 1 is a violation the scenario is allowed to show; anything else is a broken run.
  if (r.status !== 0 && r.status !== 1) throw new Error(`upgradelab run exited ${r.status}`);
}

async function open(page: Page, url: string): Promise<Stats> {
  await page.goto(url);
  await page.waitForFunction(
    () => {
      const v = (globalThis as { __viz?: { ready: boolean; stats: Stats } }).__viz;
      return v?.ready === true && v.stats.events > 0;
    },
    null,
    { timeout: 120_000 },
  );
  return page.evaluate(() => (globalThis as unknown as { __viz: { stats: Stats } }).__viz.stats);
}

/** The baseline: fetching the same bytes into an ArrayBuffer in the same page, nothing parsed. */
async function fetchOnlyMs(page: Page, url: string): Promise<number> {
  const trace = new URL(url).searchParams.get('trace')!;
  return page.evaluate(async (path) => {
    const t0 = performance.now();
    await (await fetch(path)).arrayBuffer();
    return performance.now() - t0;
  }, trace);
}

/** Render time of each frame while zooming, scrubbing and panning (ms, from the page's own clock). */
async function frames(page: Page): Promise<Record<string, number[]>> {
  return page.evaluate(async () => {
    const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
    const last = () =>
      (globalThis as unknown as { __viz: { stats: { lastRenderMs: number } } }).__viz.stats.lastRenderMs;
    const key = (k: string) =>
      document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
    const out: Record<string, number[]> = { zoom: [], scrub: [], pan: [] };
    for (const k of ['+', '+', '+', '+', '+', '-', '-', '-', '-', '-']) {
      key(k);
      await frame();
      out.zoom!.push(last());
    }
    const s = document.getElementById('scrubber') as HTMLInputElement;
    for (let i = 0; i < 40; i++) {
      s.value = String(Math.round((i / 40) * Number(s.max)));
      s.dispatchEvent(new Event('input'));
      await frame();
      out.scrub!.push(last());
    }
    key('+');
    key('+');
    await frame();
    for (let i = 0; i < 20; i++) {
      key('d');
      await frame();
      out.pan!.push(last());
    }
    return out;
  });
}

const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const ms = (x: number) => `${Math.round(x)} ms`;

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`bench:viz needs Debian's chromium at ${CHROMIUM}`);
  if (!existsSync('dist/viz/index.html')) throw new Error('run npm run viz:build first');
  generate();
  const { url, stop } = await serveViz([TRACE]);
  try {
    const cold: Stats[] = [];
    const warm: Stats[] = [];
    const fetches: number[] = [];
    let render: Record<string, number[]> = {};
    for (let i = 0; i < OPENS; i++) {
      const b = await launchChromium();
      try {
        cold.push(await open(b.page, url));
        warm.push(await open(b.page, url));
        fetches.push(await fetchOnlyMs(b.page, url));
        if (i === 0) render = await frames(b.page);
      } finally {
        await b.close();
      }
    }
    const s = cold[0]!;
    process.stdout.write(
      `trace: ${TRACE}, ${s.events.toLocaleString('en-US')} events, ${(s.bytes / 2 ** 20).toFixed(1)} MiB; ${OPENS} browsers\n` +
        `open, from the page asking for the trace to its first drawn frame (page clock; target <= 3 s):\n`,
    );
    const row = (name: string, xs: number[]) =>
      `  ${name.padEnd(26)} min ${ms(Math.min(...xs)).padStart(8)}  median ${ms(q(xs, 0.5)).padStart(8)}  max ${ms(Math.max(...xs)).padStart(8)}\n`;
    process.stdout.write(
      row(
        'cold (new profile)',
        cold.map((x) => x.loadToRenderMs),
      ),
    );
    process.stdout.write(
      row(
        'warm (same page)',
        warm.map((x) => x.loadToRenderMs),
      ),
    );
    process.stdout.write(
      row(
        '  of which worker parse',
        [...cold, ...warm].map((x) => x.workerMs),
      ),
    );
    process.stdout.write(row('baseline: fetch only', fetches));
    process.stdout.write(
      `  ratio cold open / fetch only: ${(
        q(
          cold.map((x) => x.loadToRenderMs),
          0.5,
        ) / q(fetches, 0.5)
      ).toFixed(2)}x\n` + `frame render while navigating (page clock; 16 ms is one frame at 60 Hz):\n`,
    );
    for (const [k, xs] of Object.entries(render))
      process.stdout.write(
        `  ${k.padEnd(6)} median ${ms(q(xs, 0.5))}, p95 ${ms(q(xs, 0.95))}, max ${ms(Math.max(...xs))}\n`,
      );
  } finally {
    stop();
  }
}

await main();

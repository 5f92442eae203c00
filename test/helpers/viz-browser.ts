// Shared by the viewer's end-to-end tests and `npm run bench:viz`: starts `upgradelab viz` on one or two
// traces and Debian's chromium (never a downloaded browser) through playwright-core, and cleans both up.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/lib/chromium/chromium';

export interface VizSession {
  url: string;
  page: Page;
  /** Uncaught errors of the page so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Waits until the page has loaded every trace it was asked for (viz/src/main.ts sets __viz.ready). */
export async function vizReady(p: Page): Promise<void> {
  await p.waitForFunction(() => (globalThis as { __viz?: { ready: boolean } }).__viz?.ready === true, null, {
    timeout: 30_000,
  });
}

/** `upgradelab viz TRACE [COMPARE] --port 0`; resolves with the URL it prints and a way to stop it. */
export function serveViz(traces: string[]): Promise<{ url: string; stop: () => void }> {
  const server = spawn(process.execPath, ['dist/sim/cli/main.js', 'viz', ...traces, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((ok, fail) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
      if (m) ok({ url: m[1]!, stop: () => server.kill('SIGTERM') });
    });
    server.on('exit', (code) => fail(new Error(`upgradelab viz exited ${code}: ${out}`)));
  });
}

/** Headless chromium with a fresh profile (deleted by close()), the flags the issue names. */
export async function launchChromium(): Promise<{ page: Page; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'viz-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
      viewport: { width: 1600, height: 1000 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return {
      page,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}

/** Serves the traces, opens the printed URL in chromium and waits until every trace is drawn. */
export async function openViz(traces: string[]): Promise<VizSession> {
  const { url, stop } = await serveViz(traces);
  let browser: { page: Page; close: () => Promise<void> } | null = null;
  const close = async () => {
    await browser?.close();
    stop();
  };
  try {
    browser = await launchChromium();
    const { page } = browser;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await vizReady(page);
    return { url, page, errors, close };
  } catch (err) {
    await close();
    throw err;
  }
}

// Shared by the viewer's end-to-end tests: starts `upgradelab viz` on one or two traces and Debian's
// chromium (never a downloaded browser) through playwright-core, and cleans both up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

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

/** `upgradelab viz TRACE [COMPARE] --port 0`; resolves with the URL it prints. */
function startServer(traces: string[]): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, ['dist/sim/cli/main.js', 'viz', ...traces, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((ok, fail) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
      if (m) ok({ server, url: m[1]! });
    });
    server.on('exit', (code) => fail(new Error(`upgradelab viz exited ${code}: ${out}`)));
  });
}

/** Serves the traces, opens the printed URL in chromium and waits until every trace is drawn. */
export async function openViz(traces: string[]): Promise<VizSession> {
  const { server, url } = await startServer(traces);
  const profile = mkdtempSync(join(tmpdir(), 'viz-chromium-'));
  let context: BrowserContext | null = null;
  const close = async () => {
    await context?.close();
    server.kill('SIGTERM');
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(profile, {
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

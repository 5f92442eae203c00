// `upgradelab viz TRACE [COMPARE] [--port P]`: serves the built viewer (dist/viz, from `npm run viz:build`)
// on 127.0.0.1, serves the trace(s) to it and prints the URL. The viewer reads the trace itself; the
// server adds only the Chrome Trace Event export the page links to (`upgradelab export`, same function).
import type { Command } from 'commander';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename, extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toChromeTrace } from '../trace/chrome.js';
import { readTraceFile } from '../trace/reader.js';

/** dist/sim/cli/viz.js -> dist/viz/ */
export const VIZ_DIR = fileURLToPath(new URL('../../viz/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface VizServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function serveFile(res: ServerResponse, path: string, type: string): void {
  res.writeHead(200, {
    'content-type': type,
    'content-length': statSync(path).size,
    'cache-control': 'no-store',
  });
  createReadStream(path).pipe(res);
}

/** Starts the server; resolves once it listens. `traces[0]` is the run, `traces[1]` an optional comparison. */
export function startVizServer(traces: readonly string[], port: number, dir = VIZ_DIR): Promise<VizServer> {
  const root = resolve(dir);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    // /trace/<i>/<file name>.jsonl is trace i (the name is for the page's title); .chrome.json its export.
    const trace = /^\/trace\/(\d)\/[^/]*?(\.chrome\.json)?$/.exec(path);
    if (trace) {
      const file = traces[Number(trace[1])];
      if (file === undefined) return send(res, 404, 'no such trace');
      if (trace[2] === undefined) return serveFile(res, file, 'application/x-ndjson; charset=utf-8');
      try {
        const t = readTraceFile(file);
        return send(res, 200, JSON.stringify(toChromeTrace(t)), 'application/json');
      } catch (err) {
        return send(res, 422, `cannot export ${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const target = resolve(root, `.${path === '/' ? '/index.html' : path}`);
    if (target !== root && !target.startsWith(root + sep)) return send(res, 403, 'outside the viewer');
    if (!existsSync(target) || !statSync(target).isFile()) return send(res, 404, 'not found');
    return serveFile(res, target, TYPES[extname(target)] ?? 'application/octet-stream');
  };
  const server = createServer(handler);
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      const at = (i: number) => encodeURIComponent(`/trace/${i}/${basename(traces[i]!)}`);
      const query = traces.length > 1 ? `?trace=${at(0)}&compare=${at(1)}` : `?trace=${at(0)}`;
      ok({
        server,
        url: `http://127.0.0.1:${p}/${query}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** Checks the inputs, starts the server and prints the URL. Returns the exit code for bad input (2). */
export function cmdViz(traces: string[], opts: { port?: string }): number {
  const port = opts.port === undefined ? 7357 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`upgradelab viz: --port must be an integer 0..65535, not ${opts.port}\n`);
    return 2;
  }
  if (traces.length > 2) {
    process.stderr.write('upgradelab viz: give one trace, or two to compare\n');
    return 2;
  }
  for (const t of traces) {
    if (!existsSync(t) || !statSync(t).isFile()) {
      process.stderr.write(`upgradelab viz: no such trace file: ${t}\n`);
      return 2;
    }
  }
  if (!existsSync(resolve(VIZ_DIR, 'index.html'))) {
    process.stderr.write(`upgradelab viz: the viewer is not built (${VIZ_DIR}); run \`npm run viz:build\`\n`);
    return 2;
  }
  startVizServer(traces, port).then(
    (s) => {
      process.stdout.write(
        `upgradelab viz: open ${s.url}\n(serving ${traces.join(' and ')}; Ctrl-C stops)\n`,
      );
    },
    (err: NodeJS.ErrnoException) => {
      process.stderr.write(`upgradelab viz: cannot listen on 127.0.0.1:${port}: ${err.message}\n`);
      process.exitCode = 2;
    },
  );
  return 0;
}

export function registerViz(program: Command, setCode: (code: number) => void): void {
  program
    .command('viz')
    .description('open a trace in the browser viewer (serves it on 127.0.0.1 and prints the URL)')
    .argument('<trace>', 'trace file (.jsonl)')
    .argument('[compare]', 'a second trace, shown below the first on a shared time axis')
    .option('--port <port>', 'port on 127.0.0.1 (default 7357; 0 picks a free one)')
    .action((trace: string, compare: string | undefined, opts: { port?: string }) => {
      setCode(cmdViz(compare === undefined ? [trace] : [trace, compare], opts));
    });
}

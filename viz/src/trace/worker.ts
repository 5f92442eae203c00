// Web Worker: reads a trace (from a URL or a File), parses it and builds the model off the main thread,
// then transfers the result (the write columns as transferable buffers).
import { buildModel } from '../model/build.js';
import { describeError } from './parse.js';
import { transferables } from '../model/writes.js';

export type LoadSource = { name: string } & ({ url: string } | { file: File } | { text: string });
export type LoadRequest = LoadSource & { id: number };

export type LoadReply =
  | {
      id: number;
      ok: true;
      model: import('../model/build.js').Model;
      readMs: number;
      buildMs: number;
      bytes: number;
    }
  | { id: number; ok: false; message: string; line: number };

async function textOf(req: LoadRequest): Promise<string> {
  if ('text' in req) return req.text;
  if ('file' in req) return req.file.text();
  const res = await fetch(req.url);
  if (!res.ok) throw new Error(`could not load ${req.url}: HTTP ${res.status} ${res.statusText}`);
  return res.text();
}

self.onmessage = async (ev: MessageEvent<LoadRequest>) => {
  const req = ev.data;
  const post = (reply: LoadReply, transfer: Transferable[] = []) =>
    (self as unknown as Worker).postMessage(reply, transfer);
  try {
    const t0 = performance.now();
    const text = await textOf(req);
    const t1 = performance.now();
    const r = buildModel(text, req.name);
    const t2 = performance.now();
    if (!r.ok) {
      post({ id: req.id, ok: false, message: describeError(req.name, r.error), line: r.error.line });
      return;
    }
    post(
      { id: req.id, ok: true, model: r.model, readMs: t1 - t0, buildMs: t2 - t1, bytes: text.length },
      transferables(r.model.writes),
    );
  } catch (err) {
    post({ id: req.id, ok: false, message: err instanceof Error ? err.message : String(err), line: 0 });
  }
};

// Web Worker: reads a trace (from a URL or a File), parses it and builds the model off the main thread,
// then transfers the result (the write columns as transferable buffers).
import { modelBuilder, type BuildResult, type Model } from '../model/build.js';
import { describeError } from './parse.js';
import { transferables } from '../model/writes.js';

export type LoadSource = { name: string } & ({ url: string } | { file: File } | { text: string });
export type LoadRequest = LoadSource & { id: number };

export type LoadReply =
  | {
      id: number;
      ok: true;
      model: Model;
      /** Reading and parsing (overlapped) until the model is built, in the worker. */
      loadMs: number;
      bytes: number;
    }
  | { id: number; ok: false; message: string; line: number };

/** Streams the input through the model builder chunk by chunk (parsing overlaps with reading). */
async function build(req: LoadRequest): Promise<{ result: BuildResult; bytes: number }> {
  let bytes = 0;
  if ('text' in req) {
    const b = new TextEncoder().encode(req.text);
    const m = modelBuilder(req.name, b.length);
    m.push(b);
    return { result: m.finish(), bytes: b.length };
  }
  let body: ReadableStream<Uint8Array>;
  let sizeHintBytes = 0;
  if ('file' in req) {
    body = req.file.stream();
    sizeHintBytes = req.file.size;
  } else {
    const res = await fetch(req.url);
    if (!res.ok || !res.body)
      throw new Error(`could not load ${req.url}: HTTP ${res.status} ${res.statusText}`);
    body = res.body;
    // A compressed response's length is not the text's; then the columns grow as they fill.
    const encoded = res.headers.get('content-encoding');
    if (encoded === null || encoded === 'identity')
      sizeHintBytes = Number(res.headers.get('content-length') ?? 0) || 0;
  }
  const m = modelBuilder(req.name, sizeHintBytes);
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    m.push(value);
  }
  return { result: m.finish(), bytes };
}

self.onmessage = async (ev: MessageEvent<LoadRequest>) => {
  const req = ev.data;
  const post = (reply: LoadReply, transfer: Transferable[] = []) =>
    (self as unknown as Worker).postMessage(reply, transfer);
  try {
    const t0 = performance.now();
    const { result: r, bytes } = await build(req);
    const t1 = performance.now();
    if (!r.ok) {
      post({ id: req.id, ok: false, message: describeError(req.name, r.error), line: r.error.line });
      return;
    }
    post({ id: req.id, ok: true, model: r.model, loadMs: t1 - t0, bytes }, transferables(r.model.writes));
  } catch (err) {
    post({ id: req.id, ok: false, message: err instanceof Error ? err.message : String(err), line: 0 });
  }
};

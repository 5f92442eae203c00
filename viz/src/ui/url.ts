// The view in the URL (?trace=&compare=&t=&from=&to=), so that a link reproduces what one sees.

export interface UrlState {
  trace: string | null;
  compare: string | null;
  cursorMs: number | null;
  fromMs: number | null;
  toMs: number | null;
}

function num(v: string | null): number | null {
  if (v === null || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export function readUrl(search: string): UrlState {
  const p = new URLSearchParams(search);
  return {
    trace: p.get('trace'),
    compare: p.get('compare'),
    cursorMs: num(p.get('t')),
    fromMs: num(p.get('from')),
    toMs: num(p.get('to')),
  };
}

export function writeUrl(s: UrlState): string {
  const p = new URLSearchParams();
  if (s.trace !== null) p.set('trace', s.trace);
  if (s.compare !== null) p.set('compare', s.compare);
  if (s.cursorMs !== null) p.set('t', String(Math.round(s.cursorMs)));
  if (s.fromMs !== null) p.set('from', String(Math.round(s.fromMs)));
  if (s.toMs !== null) p.set('to', String(Math.round(s.toMs)));
  const q = p.toString();
  return q === '' ? '' : `?${q}`;
}

// Durations in scenario files: "250ms", "45s", "5m", "2h", "1h30m", or a bare number of milliseconds.
// Ranges: "45s..90s". Everything becomes integer milliseconds.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new Error(`not a non-negative duration: ${input}`);
    return Math.round(input);
  }
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== text.length) {
    throw new Error(`not a duration: "${input}" (use e.g. 250ms, 45s, 5m, 2h, 1h30m)`);
  }
  return Math.round(total);
}

export interface RangeMs {
  minMs: number;
  maxMs: number;
}

export function parseRangeMs(input: string | number): RangeMs {
  if (typeof input === 'string' && input.includes('..')) {
    const [a, b] = input.split('..');
    const minMs = parseDurationMs(a ?? '');
    const maxMs = parseDurationMs(b ?? '');
    if (maxMs < minMs) throw new Error(`range "${input}" has its maximum below its minimum`);
    return { minMs, maxMs };
  }
  const v = parseDurationMs(input);
  return { minMs: v, maxMs: v };
}

export function formatMs(ms: number): string {
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  const parts: string[] = [];
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s || parts.length === 0) parts.push(`${Number.isInteger(s) ? s : s.toFixed(3)}s`);
  return (neg ? '-' : '') + parts.join('');
}

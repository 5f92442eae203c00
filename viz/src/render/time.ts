// Virtual-time labels and axis ticks (labels carry units: h, m, s, ms).

/** "1h02m03s", "12m30.5s", "4.25s", "950ms". */
export function fmtTime(ms: number): string {
  const neg = ms < 0 ? '-' : '';
  ms = Math.abs(ms);
  if (ms < 1000) return `${neg}${Math.round(ms)}ms`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS - h * 3600) / 60);
  const s = totalS - h * 3600 - m * 60;
  const sText = Number.isInteger(s) ? String(s) : s.toFixed(ms % 100 === 0 ? 1 : 3).replace(/0+$/, '');
  if (h > 0) return `${neg}${h}h${String(m).padStart(2, '0')}m${sText.padStart(2, '0')}s`;
  if (m > 0) return `${neg}${m}m${sText.padStart(2, '0')}s`;
  return `${neg}${sText}s`;
}

const NICE_STEPS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
  600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

/** Tick times for [startMs, endMs] with about one tick per `pxPerTick` pixels. */
export function timeTicks(startMs: number, endMs: number, widthPx: number, pxPerTick = 110): number[] {
  const wanted = Math.max(1, widthPx / pxPerTick);
  const raw = (endMs - startMs) / wanted;
  const step = NICE_STEPS_MS.find((s) => s >= raw) ?? NICE_STEPS_MS[NICE_STEPS_MS.length - 1]!;
  const out: number[] = [];
  for (let t = Math.ceil(startMs / step) * step; t <= endMs && out.length < 1000; t += step) out.push(t);
  return out;
}

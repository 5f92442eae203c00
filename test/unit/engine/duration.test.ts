import { describe, it, expect } from 'vitest';
import { formatMs, parseDurationMs, parseRangeMs } from '../../../sim/engine/duration.js';

describe('parseDurationMs', () => {
  it.each([
    ['250ms', 250],
    ['45s', 45_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['2h0m5s250ms', 7_205_250],
    ['1.5s', 1_500],
    ['0s', 0],
    ['  45s  ', 45_000],
    ['1500', 1_500],
  ])('parses %j as %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it('accepts non-negative numbers as milliseconds, rounded to whole ms', () => {
    expect(parseDurationMs(0)).toBe(0);
    expect(parseDurationMs(1500)).toBe(1500);
    expect(parseDurationMs(1500.4)).toBe(1500);
    expect(parseDurationMs(1500.6)).toBe(1501);
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDurationMs(-1)).toThrow(/non-negative duration/);
    expect(() => parseDurationMs(Number.NaN)).toThrow(/non-negative duration/);
    expect(() => parseDurationMs(Number.POSITIVE_INFINITY)).toThrow(/non-negative duration/);
  });

  it.each(['', '   ', 'abc', '45x', '5 m', '1h30', '-5s', 'ms', 's5', '5ms x', '1.5', '45s..90s', '1,5s'])(
    'rejects %j with a message naming the input and the accepted forms',
    (text) => {
      expect(() => parseDurationMs(text)).toThrow(
        /not a duration: ".*" \(use e\.g\. 250ms, 45s, 5m, 2h, 1h30m\)/,
      );
    },
  );
});

describe('parseRangeMs', () => {
  it('parses "lo..hi" ranges', () => {
    expect(parseRangeMs('45s..90s')).toEqual({ minMs: 45_000, maxMs: 90_000 });
    expect(parseRangeMs('500ms..1m')).toEqual({ minMs: 500, maxMs: 60_000 });
    expect(parseRangeMs('1m..1m')).toEqual({ minMs: 60_000, maxMs: 60_000 });
  });

  it('a single duration is a zero-width range', () => {
    expect(parseRangeMs('60s')).toEqual({ minMs: 60_000, maxMs: 60_000 });
    expect(parseRangeMs(250)).toEqual({ minMs: 250, maxMs: 250 });
  });

  it('a reversed range is an error naming the range', () => {
    expect(() => parseRangeMs('90s..45s')).toThrow(/range "90s\.\.45s" has its maximum below its minimum/);
  });

  it('a range with a bad or missing end is an error', () => {
    expect(() => parseRangeMs('45s..')).toThrow(/not a duration/);
    expect(() => parseRangeMs('..45s')).toThrow(/not a duration/);
    expect(() => parseRangeMs('45s..soon')).toThrow(/not a duration/);
  });
});

describe('formatMs', () => {
  it.each([
    [0, '0s'],
    [250, '0.250s'],
    [1_500, '1.500s'],
    [45_000, '45s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [3_661_001, '1h1m1.001s'],
    [86_400_000, '24h'],
    [-90_000, '-1m30s'],
  ])('formats %i ms as %j', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it('parseDurationMs reads back what formatMs writes', () => {
    for (const ms of [0, 1, 999, 1_000, 1_001, 59_999, 61_234, 3_599_999, 7_205_250, 123_456_789]) {
      expect(parseDurationMs(formatMs(ms))).toBe(ms);
    }
  });
});

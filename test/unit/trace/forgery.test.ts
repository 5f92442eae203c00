// A trace cannot be forged or mistaken (issue 11 item 10): the footer is covered by the hash (all of it but
// the hash field), its shape is validated, and a footer that is missing or malformed is a problem the reader
// reports instead of a crash.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/load.js';
import { simulate } from '../../../sim/simulate.js';
import { readTraceText } from '../../../sim/trace/reader.js';

const SCENARIO = parseScenario(
  'name: forge\nduration: 20m\ncluster: { controlPlanes: 1, version: v1.7.6 }\nupgrade: { to: v1.8.0, at: 2m }\n',
  'forge.yaml',
);
const TRACE = simulate(SCENARIO).trace!;

function editFooter(edit: (footer: Record<string, unknown>) => void): string {
  const lines = TRACE.split('\n');
  const i = lines.length - 2; // the last line is '' after the final newline
  const footer = JSON.parse(lines[i]!) as Record<string, unknown>;
  edit(footer);
  lines[i] = JSON.stringify(footer);
  return lines.join('\n');
}

describe('the footer is covered by the hash', () => {
  it('an untouched trace verifies', () => {
    const t = readTraceText(TRACE, 'ok.jsonl');
    expect(t.problems).toEqual([]);
    expect(t.hashOk).toBe(true);
  });

  const edits: [string, (f: Record<string, unknown>) => void][] = [
    [
      'a verdict',
      (f) => {
        const v = (f.verdicts as { ok: boolean }[])[0]!;
        v.ok = !v.ok;
      },
    ],
    ['writesLost', (f) => ((f.metrics as { writesLost: number }).writesLost = 7)],
    ['stop', (f) => (f.stop = 'max-events')],
    ['t', (f) => (f.t = 1)],
    ['counts', (f) => ((f.counts as Record<string, number>).phase! += 1)],
  ];
  for (const [what, edit] of edits) {
    it(`an edit to ${what} is caught`, () => {
      const t = readTraceText(editFooter(edit), 'forged.jsonl');
      expect(t.hashOk).toBe(false);
      expect(t.problems.some((p) => /hash mismatch/.test(p))).toBe(true);
    });
  }
});

describe('the footer shape is validated', () => {
  it('a missing hash is a problem, not a crash', () => {
    const t = readTraceText(
      editFooter((f) => delete f.hash),
      'nohash.jsonl',
    );
    expect(t.hashOk).toBe(false);
    expect(t.problems.some((p) => /hash/.test(p))).toBe(true);
  });
  it('a numeric hash is a problem, not a crash', () => {
    const t = readTraceText(
      editFooter((f) => (f.hash = 12)),
      'numhash.jsonl',
    );
    expect(t.hashOk).toBe(false);
    expect(t.problems.some((p) => /hash/.test(p))).toBe(true);
  });
  it('malformed verdicts and metrics are named', () => {
    const t = readTraceText(
      editFooter((f) => {
        f.verdicts = 'all good';
        delete (f.metrics as Record<string, unknown>).writesLost;
      }),
      'shape.jsonl',
    );
    expect(t.problems.some((p) => /verdicts/.test(p))).toBe(true);
    expect(t.problems.some((p) => /metrics\.writesLost/.test(p))).toBe(true);
  });
});

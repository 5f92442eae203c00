// `npm run fuzz:input [N]`: the long version of the hostile-input fuzz suite (issue 11). Generates N inputs
// per class (default 300) from a fixed seed, checks each in-process (bench/hostile-input.ts), and prints
// per class how many were rejected with a proper error, accepted, and handled badly, with the slowest case.
// Exit 1 if any input was handled badly, printing the first few.
import fc from 'fast-check';
import {
  checkScenarioCase,
  checkTraceCase,
  SCENARIO_CLASSES,
  scenarioCase,
  TRACE_CLASSES,
  traceCase,
  type Outcome,
} from './hostile-input.js';

const perClass = Number(process.argv[2] ?? 300);
const seed = Number(process.argv[3] ?? 11);
if (!(perClass >= 1)) throw new Error(`usage: fuzz-input [inputs per class] [seed]; got ${process.argv[2]}`);

interface Row {
  cls: string;
  n: number;
  rejected: number;
  accepted: number;
  defects: number;
  maxMs: number;
}
const rows: Row[] = [];
const defects: string[] = [];

function tally<T>(cls: string, arb: fc.Arbitrary<T>, check: (c: T) => Outcome): void {
  const row: Row = { cls, n: 0, rejected: 0, accepted: 0, defects: 0, maxMs: 0 };
  for (const c of fc.sample(arb, { numRuns: perClass, seed })) {
    const o = check(c);
    row.n++;
    if (o.defect) {
      row.defects++;
      if (defects.length < 10)
        defects.push(`${cls}: ${o.defect}\n  input: ${JSON.stringify(c).slice(0, 300)}`);
    } else if (o.accepted) row.accepted++;
    else row.rejected++;
    row.maxMs = Math.max(row.maxMs, o.ms);
  }
  rows.push(row);
}

for (const cls of SCENARIO_CLASSES) tally(`scenario/${cls}`, scenarioCase[cls], (c) => checkScenarioCase(c));
for (const cls of TRACE_CLASSES) tally(`trace/${cls}`, traceCase(cls), checkTraceCase);

const pad = (s: string | number, n: number) => String(s).padStart(n);
console.log(`hostile inputs: ${perClass} per class, seed ${seed}`);
console.log(
  `${'class'.padEnd(24)}${pad('inputs', 8)}${pad('rejected', 10)}${pad('accepted', 10)}${pad('BAD', 6)}${pad('max ms', 9)}`,
);
for (const r of rows)
  console.log(
    `${r.cls.padEnd(24)}${pad(r.n, 8)}${pad(r.rejected, 10)}${pad(r.accepted, 10)}${pad(r.defects, 6)}${pad(r.maxMs.toFixed(1), 9)}`,
  );
const total = rows.reduce((a, r) => a + r.n, 0);
const bad = rows.reduce((a, r) => a + r.defects, 0);
console.log(`total ${total} inputs, ${bad} handled badly`);
for (const d of defects) console.log(d);
process.exitCode = bad === 0 ? 0 : 1;

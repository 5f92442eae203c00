// `upgradelab shrink FILE [--out F]`: shrink a failing scenario's explicit faults (fewer, shorter, later)
// while the same invariant still fails, and write the smaller scenario with a header that says what it
// shows and how to reproduce it. Progress goes to stderr.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatMs } from '../engine/duration.js';
import { editScenarioText } from '../scenario/edit.js';
import { loadScenarioFile } from '../scenario/load.js';
import { shrinkScenario, ShrinkError } from '../testing/shrink.js';
import { makeParentDirs } from '../trace/writer.js';
import { UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { printable, shellQuote } from './text.js';

interface ShrinkFlags {
  out?: string;
  invariant?: string;
  maxRuns: string;
}

export function cmdShrink(file: string, o: ShrinkFlags): number {
  const maxRuns = Number(o.maxRuns);
  if (!Number.isInteger(maxRuns) || maxRuns < 1 || maxRuns > 100_000)
    throw new UsageError(`--max-runs: want an integer in 1..100000, got ${o.maxRuns}`);
  loadScenarioFile(file); // A bad file is reported with file:line:field before anything runs.
  const out = o.out ?? file.replace(/(\.ya?ml)?$/, '.shrunk.yaml');
  makeParentDirs(out);
  const text = readFileSync(file, 'utf8');
  let last = 0;
  let result;
  try {
    result = shrinkScenario(text, file, {
      ...(o.invariant === undefined ? {} : { invariant: o.invariant }),
      maxRuns,
      onRun: (runs, faults) => {
        if (runs - last >= 10 || runs === 1) {
          last = runs;
          process.stderr.write(`shrink: ${runs} runs, ${faults} faults in the current candidate\n`);
        }
      },
    });
  } catch (err) {
    if (err instanceof ShrinkError) throw new UsageError(err.message);
    throw err;
  }
  const v = result.shrunk.violation;
  const header = [
    `Shrunk by upgradelab shrink from ${file}: ${result.original.faults} -> ${result.shrunk.faults} faults in ${result.runs} runs${result.exhausted ? ' (stopped at --max-runs; may shrink further)' : ''}.`,
    `violation: ${v.invariant} at ${formatMs(v.t)} (${v.t} ms): ${v.message.replace(/\s+/g, ' ')}`,
    `reproduce: upgradelab run ${shellQuote(out)}`,
  ].join('\n');
  writeFileSync(out, editScenarioText(result.text, [], header));
  process.stdout.write(
    `${printable(file)}: ${v.invariant} still fails with ${result.shrunk.faults} of ${result.original.faults} faults ` +
      `(${result.runs} runs); wrote ${printable(out)}\nreproduce: upgradelab run ${shellQuote(out)}\n`,
  );
  return EXIT.ok;
}

export function registerShrink(program: Command, setCode: (code: number) => void): void {
  program
    .command('shrink')
    .description("shrink a failing scenario's faults (fewer, shorter, later) while the same invariant fails")
    .argument('<file>', 'scenario file that violates an invariant')
    .option('--out <file>', 'where to write the shrunk scenario (default FILE.shrunk.yaml)')
    .option('--invariant <name>', 'the invariant that must keep failing (default: the first violated)')
    .option('--max-runs <n>', 'at most this many simulations', '400')
    .action((file: string, opts: ShrinkFlags) => {
      setCode(cmdShrink(file, opts));
    });
}

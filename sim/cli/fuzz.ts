// `upgradelab fuzz FILE --runs N [--seed S] [--out F]`: explore the fault space a scenario's `fuzz:` block
// declares (fast-check draws timed schedules of those kinds, on those nodes, inside that window), stop at
// the first schedule that breaks one of the invariants, shrink it (fewer, earlier, shorter faults) and
// write it as an editable scenario file that `upgradelab run` reproduces exactly: same violation at the
// same simulated time. Progress goes to stderr: a bar on a terminal, plain lines otherwise. The wall
// clock is read here only for the runs/s figure; what is explored is a pure function of (file, seed).
// `--coverage` prints which states and transitions of the node and etcd-service models the exploring
// runs visited (sim/coverage/), with the never-visited ones listed.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import fc from 'fast-check';
import { formatCoverage } from '../coverage/table.js';
import { ModelCoverage } from '../coverage/model-coverage.js';
import { loadScenarioFile, parseScenario } from '../scenario/load.js';
import { simulate } from '../simulate.js';
import { counterexampleComment, scenarioText, type FoundViolation } from '../testing/counterexample.js';
import { fuzzArbitrary, fuzzDrawText } from '../testing/fuzz-space.js';
import { makeParentDirs } from '../trace/writer.js';
import { UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { parseSeedArgument, printable, shellQuote } from './text.js';

interface FuzzFlags {
  runs?: string;
  draw?: string;
  seed?: string;
  out?: string;
  coverage?: boolean;
}

export const FUZZ_RUNS_MAX = 1_000_000;

class FuzzFailure extends Error {
  constructor(readonly violation: FoundViolation) {
    super(`${violation.invariant} at ${violation.t} ms: ${violation.message}`);
  }
}

interface Progress {
  update(runs: number, failures: number, phase: string): void;
  stop(): void;
}

/** A bar on a terminal, else a plain line every 10 % of the runs (and one per shrinking step). */
function progress(total: number): Progress {
  const t0 = Date.now();
  const rate = (n: number) => (n / Math.max((Date.now() - t0) / 1000, 1e-3)).toFixed(1);
  if (process.stderr.isTTY) {
    // Loaded only on a terminal, and synchronously: the fuzz loop never yields to the event loop.
    const { SingleBar } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
    const bar = new SingleBar({
      format: 'fuzz {phase} |{bar}| runs {value}/{total} | failures {failures} | {speed} runs/s',
      stream: process.stderr,
      hideCursor: true,
    });
    bar.start(total, 0, { failures: 0, speed: '0.0', phase: 'exploring' });
    return {
      update: (runs, failures, phase) =>
        bar.update(Math.min(runs, total), { failures, speed: rate(runs), phase }),
      stop: () => bar.stop(),
    };
  }
  // Plain lines: every 10 % of the exploring runs, then every 10 shrinking runs.
  const step = Math.max(1, Math.ceil(total / 10));
  let next = step;
  let shrinkingFrom: number | null = null;
  return {
    update(runs, failures, phase) {
      if (phase === 'shrinking') shrinkingFrom ??= runs;
      const due = shrinkingFrom === null ? runs >= next : (runs - shrinkingFrom) % 10 === 0;
      if (!due) return;
      while (next <= runs) next += step;
      process.stderr.write(`fuzz: ${phase}: ${runs} runs, ${failures} failures, ${rate(runs)} runs/s\n`);
    },
    stop() {},
  };
}

/** `--draw N`: write the scenario a sweep runs for seed N (the seed and the schedule drawn with it). */
function cmdDraw(file: string, o: FuzzFlags): number {
  if (o.runs !== undefined || o.seed !== undefined || o.coverage)
    throw new UsageError('--draw writes one draw: it takes no --runs, --seed or --coverage');
  const seed = Number(o.draw);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--draw: want an integer seed, got ${o.draw}`);
  const s = loadScenarioFile(file);
  if (!s.fuzz) throw new UsageError(`${printable(file)} has no fuzz: block (it says which faults to draw)`);
  const out = o.out ?? file.replace(/(\.ya?ml)?$/, `.draw-${seed}.yaml`);
  makeParentDirs(out);
  writeFileSync(out, fuzzDrawText(readFileSync(file, 'utf8'), s, seed));
  process.stdout.write(`wrote draw ${seed} of ${printable(file)} to ${printable(out)}\n`);
  return EXIT.ok;
}

export function cmdFuzz(file: string, o: FuzzFlags): number {
  if (o.draw !== undefined) return cmdDraw(file, o);
  if (o.runs === undefined) throw new UsageError('fuzz: --runs N is required (or --draw N)');
  const runs = Number(o.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > FUZZ_RUNS_MAX)
    throw new UsageError(`--runs: want an integer in 1..${FUZZ_RUNS_MAX}, got ${o.runs}`);
  const seed = o.seed === undefined ? 1 : parseSeedArgument(o.seed);
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed))
    throw new UsageError(`--seed: fuzz wants an integer seed (fast-check's), got ${o.seed}`);
  const s = loadScenarioFile(file); // A bad file is reported with file:line:field before anything runs.
  if (!s.fuzz)
    throw new UsageError(`${printable(file)} has no fuzz: block (it says which faults to explore)`);
  const fuzz = s.fuzz;
  const invariants = fuzz.invariants ?? s.invariants;
  const base = readFileSync(file, 'utf8');
  const out = o.out ?? file.replace(/(\.ya?ml)?$/, '.shrunk.yaml');
  makeParentDirs(out);

  let executed = 0;
  let failures = 0;
  let explored = 0;
  let shrinking = false;
  const bar = progress(runs);
  // Coverage counts the exploring runs only: shrinking replays smaller copies of one failure.
  const coverage = o.coverage ? new ModelCoverage() : null;
  const property = fc.property(fuzzArbitrary(s, fuzz), (faults) => {
    executed++;
    if (!shrinking) explored++;
    const text = scenarioText(base, { faults });
    const watch = coverage && !shrinking ? { mutateWorld: coverage.hook() } : {};
    const r = simulate(parseScenario(text, file), { checkpoints: false, trace: false, ...watch });
    const v = r.violations.find((x) => invariants.includes(x.invariant));
    if (v) {
      failures++;
      shrinking = true;
    }
    bar.update(shrinking ? executed : explored, failures, shrinking ? 'shrinking' : 'exploring');
    if (v) throw new FuzzFailure({ invariant: v.invariant, t: v.t, message: v.message });
  });
  const t0 = Date.now();
  const details = fc.check(property, { seed, numRuns: runs });
  bar.stop();
  const seconds = Math.max((Date.now() - t0) / 1000, 1e-3);
  const err = details.errorInstance;
  if (details.failed && !(err instanceof FuzzFailure)) throw err;
  if (coverage) process.stdout.write(formatCoverage(coverage.report()));
  if (!details.failed || !details.counterexample || !(err instanceof FuzzFailure)) {
    process.stdout.write(
      `${printable(file)}: ${details.numRuns} fault schedules explored, none broke ${invariants.join(', ')} ` +
        `(${(executed / seconds).toFixed(1)} runs/s)\n`,
    );
    return EXIT.ok;
  }
  const [faults] = details.counterexample;
  const comment = counterexampleComment({
    seed,
    path: details.counterexamplePath ?? undefined,
    violation: err.violation,
    file: out,
  });
  writeFileSync(out, scenarioText(base, { faults }, comment));
  process.stdout.write(
    `${printable(file)}: run ${details.numRuns} broke ${err.violation.invariant}; shrunk in ` +
      `${details.numShrinks} steps to ${faults.length} fault(s) (${executed} runs, ` +
      `${(executed / seconds).toFixed(1)} runs/s)\n` +
      `  ${err.violation.invariant} at ${err.violation.t} ms: ${err.violation.message}\n` +
      `wrote ${printable(out)}\nreproduce: upgradelab run ${shellQuote(out)}\n`,
  );
  return EXIT.violation;
}

export function registerFuzz(program: Command, setCode: (code: number) => void): void {
  program
    .command('fuzz')
    .description("explore the fault space of a scenario's fuzz: block; shrink the first failure to a file")
    .argument('<file>', 'scenario file with a fuzz: block')
    .option('--runs <n>', 'how many fault schedules to try (required unless --draw)')
    .option('--seed <s>', "fast-check's seed (an integer; default 1)")
    .option('--out <file>', 'where to write the shrunk scenario (default FILE.shrunk.yaml)')
    .option('--draw <seed>', 'write the scenario `sweep` runs for this seed (to --out) and exit')
    .option('--coverage', 'print which model states and transitions the exploring runs visited')
    .action((file: string, opts: FuzzFlags) => {
      setCode(cmdFuzz(file, opts));
    });
}

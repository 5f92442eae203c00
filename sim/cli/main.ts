#!/usr/bin/env node
// The upgradelab command line. Exit codes (exit-codes.ts): 0 clean (or every expectation met), 1 a violation
// (or an unmet expectation), 2 bad input (nothing ran), 3 an internal error, 4 a run that stopped early.
import { Command, CommanderError } from 'commander';
import { closeSync, existsSync, openSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expectationWatcher } from '../expect.js';
import { MAX_EVENTS } from '../scenario/limits.js';
import { applySeed, loadScenarioFile, ScenarioError } from '../scenario/load.js';
import { simulate, type SimulateResult } from '../simulate.js';
import { toChromeTrace } from '../trace/chrome.js';
import { readTraceFile } from '../trace/reader.js';
import { fileSink, makeParentDirs, nullSink, TraceSinkError } from '../trace/writer.js';
import { CODE_VERSION } from '../version.js';
import { InternalError, reportError, UsageError } from './errors.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { parseSeedArgument, printable, seedArgument, shellQuote } from './text.js';

type SetCode = (code: number) => void;

const BUILT_IN_COMMANDS = ['run', 'validate', 'export', 'check-trace'];

/**
 * The commands that live in their own files, imported only when asked for: `serve`, `upgrade` and `agent`
 * load gRPC and protobufjs (~430 CommonJS files), `sweep` piscina and cli-progress, `fuzz` fast-check, and a
 * `run` needs none of it (issue 8: half of a CLI run was start-up). Keyed by command name; `merge` is
 * registered by sweep.ts.
 */
const LAZY_COMMANDS: Record<string, (program: Command, setCode: SetCode) => Promise<void>> = {
  viz: async (p, set) => (await import('./viz.js')).registerViz(p, set),
  serve: async (p) => (await import('./serve.js')).registerServe(p),
  sweep: async (p, set) => (await import('./sweep.js')).registerSweep(p, (c) => set((process.exitCode = c))),
  merge: async (p, set) => (await import('./sweep.js')).registerSweep(p, (c) => set((process.exitCode = c))),
  upgrade: async (p) => (await import('./upgrade.js')).registerUpgrade(p),
  agent: async (p) => (await import('./agent.js')).registerAgent(p),
  cluster: async (p) => (await import('./cluster.js')).registerCluster(p),
  shrink: async (p, set) => (await import('./shrink.js')).registerShrink(p, set),
  fuzz: async (p, set) => (await import('./fuzz.js')).registerFuzz(p, set),
};

/**
 * Registers the lazily loaded commands `argv` can reach: only the named one when the first argument is one
 * of them, none for a built-in command (run, validate, export, check-trace), and all of them otherwise
 * (help, an option, an unknown command), so help lists and suggestions stay complete.
 */
async function registerLazy(program: Command, argv: string[], setCode: SetCode): Promise<void> {
  const first = argv[0] ?? '';
  if (BUILT_IN_COMMANDS.includes(first)) return;
  // hasOwn: a first argument such as `constructor` must not reach Object.prototype.
  if (Object.hasOwn(LAZY_COMMANDS, first)) return LAZY_COMMANDS[first]!(program, setCode);
  const registered = new Set<string>();
  for (const [name, register] of Object.entries(LAZY_COMMANDS)) {
    // sweep.ts registers both sweep and merge: once is enough.
    if (name === 'merge' && registered.has('sweep')) continue;
    await register(program, setCode);
    registered.add(name);
  }
}

function reproduce(file: string, seed: string | number, maxEvents = MAX_EVENTS): string {
  const cap = maxEvents === MAX_EVENTS ? '' : ` --max-events ${maxEvents}`;
  return `upgradelab run ${shellQuote(file)} --seed ${shellQuote(seedArgument(seed))}${cap}`;
}

function fmtMs(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

function summary(r: SimulateResult, file: string, wallMs: number): string[] {
  const m = r.metrics;
  const lines = [
    `scenario ${printable(r.scenario)} (${printable(file)}), seed ${printable(seedArgument(r.seed))}`,
    `simulated ${fmtMs(m.simulatedMs)} in ${wallMs} ms wall: ${m.events} events (${Math.round((m.events / Math.max(wallMs, 1)) * 1000)} events/s, ${Math.round(m.simulatedMs / Math.max(wallMs, 1))}x real time)`,
    `upgrade: ${m.upgradeDurationMs === null ? 'did not finish' : fmtMs(m.upgradeDurationMs)}; nodes on target: ${m.nodesOnTarget}; time without quorum: ${fmtMs(m.timeWithoutQuorumMs)}`,
    `etcd writes: ${m.writesAttempted} attempted, ${m.writesAcknowledged} acknowledged, ${m.writesLost} lost`,
    `phases: faults until ${fmtMs(r.liveness.faultsUntilMs)}, then convergence demanded within ${fmtMs(r.liveness.boundMs)}`,
  ];
  for (const v of r.verdicts)
    lines.push(
      `  ${v.ok ? 'ok  ' : 'FAIL'} ${v.invariant}${v.ok ? '' : ` (${v.violations}x, first at ${fmtMs(v.first!.t)}: ${printable(v.first!.message)})`}`,
    );
  return lines;
}

function parseMaxEvents(raw: string | undefined): number {
  if (raw === undefined) return MAX_EVENTS;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_EVENTS))
    throw new UsageError(
      `--max-events must be a whole number from 1 to ${MAX_EVENTS}, got ${JSON.stringify(raw)}`,
    );
  return n;
}

interface RunOptions {
  seed?: string;
  out?: string;
  json?: boolean;
  maxEvents?: string;
  coverage?: boolean;
  speed?: string;
}

async function cmdRun(file: string, opts: RunOptions): Promise<number> {
  const maxEvents = parseMaxEvents(opts.maxEvents);
  const scenario = loadScenarioFile(file);
  // Attached nodes make it a mixed run on wall-clock time (sim/cli/run-mixed.ts), which loads gRPC: only then.
  if (scenario.cluster.nodes.some((n) => n.attach))
    return (await import('./run-mixed.js')).runMixedCommand(file, scenario, opts);
  // A simulated run is on virtual time: a --speed there would be accepted and do nothing.
  if (opts.speed !== undefined)
    throw new UsageError(`--speed applies only to scenarios with attach: nodes; ${file} has none`);
  const seed = parseSeedArgument(opts.seed) ?? scenario.seed;
  const s = applySeed(scenario, seed);
  // The output path is opened before simulating, so a bad one costs nothing. Without --out the trace is
  // only hashed as it streams by: the CLI needs the hash and the verdicts, not the trace.
  const sink = opts.out ? fileSink(opts.out) : nullSink();
  const t0 = Date.now();
  // Start-up as the bench defines it (bench/startup.ts): from process start (performance.timeOrigin) to the
  // first simulated event. Only the bench sets this variable.
  const startupMs = process.env.UPGRADELAB_STARTUP_REPORT === '1' ? performance.now() : null;
  const watcher = s.expect ? expectationWatcher(s.expect) : null;
  // Loaded only when asked for: the coverage code pulls in @xstate/graph, which a plain run does not need.
  const coverage = opts.coverage
    ? (await import('./run-coverage.js')).runCoverage(true)
    : { options: {}, print: () => {} };
  let r: SimulateResult;
  try {
    r = simulate(s, {
      sink,
      maxEvents,
      ...(watcher ? { onEvent: watcher.onEvent } : {}),
      ...coverage.options,
    });
  } catch (err) {
    if (err instanceof TraceSinkError) throw err;
    const notes: string[] = [];
    if (opts.out && existsSync(opts.out) && statSync(opts.out).size > 0)
      notes.push(`the partial trace (no footer) is in ${printable(opts.out)}`);
    notes.push(`reproduce: ${reproduce(file, seed, maxEvents)}`);
    throw new InternalError(err, notes);
  }
  const wallMs = Date.now() - t0;
  if (startupMs !== null) {
    const runMs = performance.now() - startupMs;
    process.on('exit', () =>
      process.stderr.write(
        `upgradelab-startup ${JSON.stringify({ startupMs, runMs, exitMs: performance.now() })}\n`,
      ),
    );
  }
  const stoppedEarly = r.stop !== 'time-bound';
  const early = stoppedEarly
    ? `the run stopped early (${r.stop}) at ${fmtMs(r.metrics.simulatedMs)} of ${fmtMs(s.durationMs)}, after ` +
      `${r.metrics.events} events (the cap is ${maxEvents}): its verdicts cover only that part`
    : null;
  coverage.print();
  const expectations = watcher ? watcher.check(r) : null;
  const ok = !stoppedEarly && (expectations ? expectations.every((e) => e.met) : r.violations.length === 0);
  const code = stoppedEarly ? EXIT.stoppedEarly : ok ? EXIT.ok : EXIT.violation;
  if (opts.json) {
    process.stdout.write(
      JSON.stringify(
        {
          scenario: r.scenario,
          file,
          seed,
          ok,
          exitCode: code,
          stop: r.stop,
          stoppedEarly: early,
          metrics: r.metrics,
          verdicts: r.verdicts,
          violations: r.violations,
          expectations,
          final: r.final,
          hash: r.footer.hash,
          reproduce: reproduce(file, seed, maxEvents),
        },
        null,
        2,
      ) + '\n',
    );
    return code;
  }
  const out = summary(r, file, wallMs);
  if (opts.out) out.push(`trace: ${printable(opts.out)} (hash ${r.footer.hash.slice(0, 16)}…)`);
  else out.push(`trace hash ${r.footer.hash.slice(0, 16)}… (not kept; --out keeps the trace)`);
  const safety = r.violations.filter((v) => !v.liveness);
  const liveness = r.violations.filter((v) => v.liveness);
  for (const [label, list] of [
    ['safety violations', safety],
    ['liveness failures', liveness],
  ] as const) {
    if (list.length === 0) continue;
    out.push(`${label}:`);
    for (const v of list.slice(0, 20))
      out.push(`  t=${fmtMs(v.t)} ${v.invariant} [${v.nodes.join(',')}] ${printable(v.message)}`);
    if (list.length > 20) out.push(`  … ${list.length - 20} more in the trace`);
  }
  if (expectations) {
    out.push('expectations:');
    for (const e of expectations)
      out.push(`  ${e.met ? 'met    ' : 'NOT MET'} ${printable(e.what)} — ${printable(e.actual)}`);
  }
  if (early) out.push(early);
  if (!ok) out.push(`reproduce: ${reproduce(file, seed, maxEvents)}`);
  out.push(stoppedEarly ? 'result: STOPPED EARLY' : ok ? 'result: PASS' : 'result: FAIL');
  process.stdout.write(out.join('\n') + '\n');
  return code;
}

/** Checks every file and reports every failure; exit 2 if any file is bad. */
function cmdValidate(files: string[]): number {
  let code: number = EXIT.ok;
  for (const f of files) {
    try {
      const s = loadScenarioFile(f);
      process.stdout.write(
        `${printable(f)}: ok (${printable(s.name)}: ${s.cluster.nodes.length} nodes, ${s.profile === null ? 'Talos rules by version' : `${s.profile} rules`}, ${s.bootloader} bootloader, ${s.faults.length} scheduled faults)\n`,
      );
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      process.stderr.write(reportError(err).text);
      code = EXIT.badInput;
    }
  }
  if (files.length > 1 && code !== EXIT.ok) process.stderr.write(`upgradelab: not every file is valid\n`);
  return code;
}

/**
 * Opens `path` for writing without truncating it (creating it and its parent folders if needed), so an
 * unwritable output fails before any work. Returns whether the file was created, to remove it on failure.
 */
function checkWritable(path: string): boolean {
  const existed = existsSync(path);
  try {
    makeParentDirs(path);
    closeSync(openSync(path, 'a'));
  } catch (err) {
    throw new TraceSinkError(path, err instanceof Error ? err.message : String(err));
  }
  return !existed;
}

function cmdExport(trace: string, opts: { out?: string }): number {
  const out = opts.out ?? trace.replace(/\.jsonl$/, '') + '.chrome.json';
  if (resolve(out) === resolve(trace)) throw new UsageError(`--out ${out} would overwrite the trace itself`);
  const created = checkWritable(out);
  try {
    const t = readTraceFile(trace);
    const chrome = toChromeTrace(t);
    try {
      writeFileSync(out, JSON.stringify(chrome));
    } catch (err) {
      throw new TraceSinkError(out, err instanceof Error ? err.message : String(err));
    }
    process.stdout.write(
      `wrote ${printable(out)} (${chrome.traceEvents.length} events; open it in Perfetto or chrome://tracing)\n`,
    );
    if (t.footer === null)
      process.stderr.write(
        `warning: ${printable(trace)} is a partial trace (no footer; the run did not finish): the export shows only what was written\n`,
      );
    for (const p of t.problems) process.stderr.write(`warning: ${printable(p)}\n`);
    return EXIT.ok;
  } catch (err) {
    if (created) unlinkSync(out);
    throw err;
  }
}

/** 0 only for a complete trace whose footer and hash check out; 1 for a partial, edited or malformed one. */
function cmdCheckTrace(trace: string): number {
  const t = readTraceFile(trace);
  const hash = typeof t.footer?.hash === 'string' ? t.footer.hash.slice(0, 16) : '?';
  const status =
    t.footer === null
      ? 'PARTIAL (no footer): not verified'
      : t.hashOk
        ? `footer ok, hash ${hash}…`
        : 'footer present but the hash does NOT match';
  process.stdout.write(
    `${printable(trace)}: ${t.events.length} events, ${t.checkpoints.length} checkpoints, ${status}\n`,
  );
  for (const p of t.problems) process.stdout.write(`  problem: ${printable(p)}\n`);
  return t.problems.length === 0 && !t.partial && t.hashOk === true ? EXIT.ok : EXIT.violation;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command();
  program
    .name('upgradelab')
    .description(
      'Deterministic simulator and chaos-testing lab for cluster OS upgrades (Talos-style A/B nodes, etcd)',
    )
    .version(CODE_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText('after', EXIT_CODES_HELP);
  program
    .command('run')
    .description(
      'run one scenario; exit 0 clean (or all expectations met), 1 violation, 2 bad input, 3 internal error, 4 stopped early',
    )
    .argument('<file>', 'scenario YAML file')
    .option(
      '--seed <seed>',
      'override the scenario seed (integer, or string; "42" in quotes is the string 42)',
    )
    .option('--out <trace.jsonl>', 'write the trace (JSON Lines, format v2) here')
    .option('--json', 'print a machine-readable result')
    .option('--max-events <n>', `stop the run early after n events (default and most: ${MAX_EVENTS})`)
    .option('--coverage', 'print (to stderr) which model states and transitions the run visited')
    .option('--speed <x>', "attached nodes only: the agents' --speed (a mixed run runs on wall-clock time)")
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (file: string, opts: RunOptions) => {
      code = await cmdRun(file, opts);
    });
  program
    .command('validate')
    .description('check scenario files against the schema without running them; reports every bad file')
    .argument('<files...>', 'scenario YAML files')
    .action((files: string[]) => {
      code = cmdValidate(files);
    });
  program
    .command('export')
    .description('convert a trace to Chrome Trace Event JSON (opens in Perfetto)')
    .argument('<trace>', 'trace file (.jsonl)')
    .option('--out <file>', 'output file (default: TRACE.chrome.json)')
    .action((trace: string, opts) => {
      code = cmdExport(trace, opts);
    });
  program
    .command('check-trace')
    .description('validate a trace file: structure, ordering, footer and hash; exit 1 if partial or edited')
    .argument('<trace>', 'trace file (.jsonl)')
    .action((trace: string) => {
      code = cmdCheckTrace(trace);
    });
  await registerLazy(program, argv, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    throw err;
  }
  return code;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  const report = reportError(err);
  process.stderr.write(report.text);
  process.exitCode = report.code;
}

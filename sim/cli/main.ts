#!/usr/bin/env node
// The upgradelab command line. Exit codes: 0 clean (or every expectation met), 1 a violation (or an unmet
// expectation), 2 bad input (nothing ran).
import { Command, CommanderError } from 'commander';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { expectationWatcher } from '../expect.js';
import { applySeed, loadScenarioFile, ScenarioError } from '../scenario/load.js';
import { simulate, type SimulateResult } from '../simulate.js';
import { toChromeTrace } from '../trace/chrome.js';
import { readTraceFile, TraceError } from '../trace/reader.js';
import { fileSink } from '../trace/writer.js';
import { CODE_VERSION } from '../version.js';
import { registerServe } from './serve.js';
import { registerUpgrade } from './upgrade.js';

class UsageError extends Error {}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function reproduce(file: string, seed: string | number): string {
  return `upgradelab run ${quote(file)} --seed ${quote(String(seed))}`;
}

function fmtMs(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

function parseSeed(raw: string | undefined): string | number | undefined {
  if (raw === undefined) return undefined;
  return /^-?\d+$/.test(raw) ? Number(raw) : raw;
}

function summary(r: SimulateResult, file: string, wallMs: number): string[] {
  const m = r.metrics;
  const lines = [
    `scenario ${r.scenario} (${file}), seed ${r.seed}`,
    `simulated ${fmtMs(m.simulatedMs)} in ${wallMs} ms wall: ${m.events} events (${Math.round((m.events / Math.max(wallMs, 1)) * 1000)} events/s, ${Math.round(m.simulatedMs / Math.max(wallMs, 1))}x real time)`,
    `upgrade: ${m.upgradeDurationMs === null ? 'did not finish' : fmtMs(m.upgradeDurationMs)}; nodes on target: ${m.nodesOnTarget}; time without quorum: ${fmtMs(m.timeWithoutQuorumMs)}`,
    `etcd writes: ${m.writesAttempted} attempted, ${m.writesAcknowledged} acknowledged, ${m.writesLost} lost`,
    `phases: faults until ${fmtMs(r.liveness.faultsUntilMs)}, then convergence demanded within ${fmtMs(r.liveness.boundMs)}`,
  ];
  for (const v of r.verdicts)
    lines.push(
      `  ${v.ok ? 'ok  ' : 'FAIL'} ${v.invariant}${v.ok ? '' : ` (${v.violations}x, first at ${fmtMs(v.first!.t)}: ${v.first!.message})`}`,
    );
  return lines;
}

function cmdRun(file: string, opts: { seed?: string; out?: string; json?: boolean }): number {
  const scenario = loadScenarioFile(file);
  const seed = parseSeed(opts.seed) ?? scenario.seed;
  const s = applySeed(scenario, seed);
  const t0 = Date.now();
  const watcher = s.expect ? expectationWatcher(s.expect) : null;
  let r: SimulateResult;
  try {
    r = simulate(s, {
      ...(opts.out ? { sink: fileSink(opts.out) } : {}),
      ...(watcher ? { onEvent: watcher.onEvent } : {}),
    });
  } catch (err) {
    const where = opts.out ? `; the partial trace is in ${opts.out}` : '';
    process.stderr.write(`upgradelab: the simulator crashed${where}\nreproduce: ${reproduce(file, seed)}\n`);
    throw err;
  }
  const wallMs = Date.now() - t0;
  const expectations = watcher ? watcher.check(r) : null;
  const ok = expectations ? expectations.every((e) => e.met) : r.violations.length === 0;
  if (opts.json) {
    process.stdout.write(
      JSON.stringify(
        {
          scenario: r.scenario,
          file,
          seed,
          ok,
          stop: r.stop,
          metrics: r.metrics,
          verdicts: r.verdicts,
          violations: r.violations,
          expectations,
          final: r.final,
          hash: r.footer.hash,
          reproduce: reproduce(file, seed),
        },
        null,
        2,
      ) + '\n',
    );
    return ok ? 0 : 1;
  }
  const out = summary(r, file, wallMs);
  if (opts.out) out.push(`trace: ${opts.out} (hash ${r.footer.hash.slice(0, 16)}…)`);
  const safety = r.violations.filter((v) => !v.liveness);
  const liveness = r.violations.filter((v) => v.liveness);
  for (const [label, list] of [
    ['safety violations', safety],
    ['liveness failures', liveness],
  ] as const) {
    if (list.length === 0) continue;
    out.push(`${label}:`);
    for (const v of list.slice(0, 20))
      out.push(`  t=${fmtMs(v.t)} ${v.invariant} [${v.nodes.join(',')}] ${v.message}`);
    if (list.length > 20) out.push(`  … ${list.length - 20} more in the trace`);
  }
  if (expectations) {
    out.push('expectations:');
    for (const e of expectations) out.push(`  ${e.met ? 'met    ' : 'NOT MET'} ${e.what} — ${e.actual}`);
  }
  if (!ok) out.push(`reproduce: ${reproduce(file, seed)}`);
  out.push(ok ? 'result: PASS' : 'result: FAIL');
  process.stdout.write(out.join('\n') + '\n');
  return ok ? 0 : 1;
}

function cmdValidate(files: string[]): number {
  for (const f of files) {
    const s = loadScenarioFile(f);
    process.stdout.write(
      `${f}: ok (${s.name}: ${s.cluster.nodes.length} nodes, ${s.profile}, ${s.bootloader}, ${s.faults.length} scheduled faults)\n`,
    );
  }
  return 0;
}

function cmdExport(trace: string, opts: { out?: string }): number {
  const t = readTraceFile(trace);
  const chrome = toChromeTrace(t);
  const out = opts.out ?? trace.replace(/\.jsonl$/, '') + '.chrome.json';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(chrome));
  process.stdout.write(
    `wrote ${out} (${chrome.traceEvents.length} events; open it in Perfetto or chrome://tracing)\n`,
  );
  for (const p of t.problems) process.stderr.write(`warning: ${p}\n`);
  return 0;
}

function cmdCheckTrace(trace: string): number {
  const t = readTraceFile(trace);
  process.stdout.write(
    `${trace}: ${t.events.length} events, ${t.checkpoints.length} checkpoints, ${t.partial ? 'PARTIAL (no footer)' : `footer ok, hash ${t.footer!.hash.slice(0, 16)}…`}\n`,
  );
  for (const p of t.problems) process.stdout.write(`  problem: ${p}\n`);
  return t.problems.length === 0 ? 0 : 1;
}

export function main(argv: string[]): number {
  let code = 0;
  const program = new Command();
  program
    .name('upgradelab')
    .description(
      'Deterministic simulator and chaos-testing lab for cluster OS upgrades (Talos-style A/B nodes, etcd)',
    )
    .version(CODE_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program
    .command('run')
    .description('run one scenario; exit 0 clean (or all expectations met), 1 violation, 2 bad input')
    .argument('<file>', 'scenario YAML file')
    .option('--seed <seed>', 'override the scenario seed (integer or string)')
    .option('--out <trace.jsonl>', 'write the trace (JSON Lines, format v1) here')
    .option('--json', 'print a machine-readable result')
    .action((file: string, opts) => {
      code = cmdRun(file, opts);
    });
  program
    .command('validate')
    .description('check scenario files against the schema without running them')
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
    .description('validate a trace file: structure, ordering and hash')
    .argument('<trace>', 'trace file (.jsonl)')
    .action((trace: string) => {
      code = cmdCheckTrace(trace);
    });
  registerServe(program);
  registerUpgrade(program);
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return code;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  if (err instanceof ScenarioError || err instanceof TraceError || err instanceof UsageError) {
    process.stderr.write(`upgradelab: ${err.message}\n`);
    process.exitCode = 2;
  } else if (err instanceof Error && (err as NodeJS.ErrnoException).code === 'ENOENT') {
    process.stderr.write(`upgradelab: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    throw err;
  }
}

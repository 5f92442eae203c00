// `upgradelab sweep FILE --seeds 1..10000 [--workers N] [--json] [--out DIR] [--shard I/N]` and
// `upgradelab merge a.json b.json ...`. The sweep runs on worker threads (sim/sweep/pool.ts) and reads the
// wall clock only here, for progress and the timing fields; its result is a pure function of the scenario,
// the seeds and the code version. Exit codes: 0 no seed failed, 1 some seed failed or crashed (the report
// names each with its command), 2 bad input (nothing ran), 3 the sweep machinery itself failed (a worker died).
import type { SingleBar as SingleBarType } from 'cli-progress';
import type { Command } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { buildInvariants } from '../invariants/index.js';
import { loadScenarioFile } from '../scenario/load.js';
import { declaredFaultKinds, UPGRADE_PHASES } from '../sweep/coverage.js';
import { MAX_WORKERS } from '../sweep/limits.js';
import { parseSeedRange, parseShard, SeedSpecError, shardSeeds, type SeedRange } from '../sweep/seeds.js';
import {
  buildReport,
  emptyTally,
  mergeTallies,
  SWEEP_FORMAT,
  SWEEP_VERSION,
  type ReportContext,
  type SweepReport,
} from '../sweep/tally.js';
import { CODE_VERSION } from '../version.js';
import { formatSweep } from './sweep-format.js';

interface SweepOpts {
  seeds: string;
  workers?: string;
  json?: boolean;
  out?: string;
  shard?: string;
}

function parseWorkers(raw: string | undefined): number {
  if (raw === undefined) return Math.min(availableParallelism(), MAX_WORKERS);
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_WORKERS))
    throw new SeedSpecError(`--workers '${raw}': expected 1..${MAX_WORKERS}`);
  return n;
}

/** The file a sweep's JSON goes to under --out DIR. */
export function sweepOutFile(dir: string, report: SweepReport): string {
  const s = report.seeds.shard;
  return join(dir, s ? `shard-${s.index}-of-${s.count}.json` : 'sweep.json');
}

/** Progress on stderr: a bar on a terminal, otherwise a plain line every 10 % (or every 30 s). */
function progress(
  total: number,
  SingleBar: typeof SingleBarType,
): { update(done: number, failing: number): void; stop(): void } {
  const t0 = Date.now();
  const rate = (done: number) => done / Math.max((Date.now() - t0) / 1000, 1e-3);
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: 'seeds {value}/{total} |{bar}| failing {failing} | {speed} seeds/s | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    });
    bar.start(total, 0, { failing: 0, speed: '0.0' });
    return {
      update: (done, failing) => bar.update(done, { failing, speed: rate(done).toFixed(1) }),
      stop: () => bar.stop(),
    };
  }
  let nextPct = 10;
  let lastLine = t0;
  return {
    update(done, failing) {
      const pct = (done / total) * 100;
      if (pct < nextPct && Date.now() - lastLine < 30_000 && done < total) return;
      while (nextPct <= pct) nextPct += 10;
      lastLine = Date.now();
      const r = rate(done);
      const eta = r > 0 ? Math.round((total - done) / r) : 0;
      process.stderr.write(
        `sweep: ${done}/${total} seeds, ${failing} failing, ${r.toFixed(1)} seeds/s, ETA ${eta} s\n`,
      );
    },
    stop() {},
  };
}

function emit(report: SweepReport, opts: { json?: boolean; out?: string }): void {
  if (opts.out) {
    const file = sweepOutFile(opts.out, report);
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    if (!opts.json) process.stderr.write(`sweep: wrote ${file}\n`);
  }
  process.stdout.write(
    opts.json ? JSON.stringify(report, null, 2) + '\n' : formatSweep(report).join('\n') + '\n',
  );
}

async function cmdSweep(
  file: string,
  opts: SweepOpts,
  s: ReturnType<typeof loadScenarioFile>,
): Promise<number> {
  const range = parseSeedRange(opts.seeds);
  const shard = opts.shard === undefined ? null : parseShard(opts.shard);
  const workers = parseWorkers(opts.workers);
  const seeds = shardSeeds(range, shard);
  const ctx: ReportContext = {
    scenario: s.name,
    file,
    range,
    shard,
    count: seeds.length,
    invariants: buildInvariants(s).map((i) => ({ name: i.name, liveness: i.liveness })),
    faultKinds: declaredFaultKinds(s),
    phases: UPGRADE_PHASES,
  };
  // The pool (piscina) and the bar are loaded only by a sweep: other commands do not pay for importing them.
  const { runPool } = await import('../sweep/pool.js');
  const { SingleBar } = (await import('cli-progress')).default;
  const t0 = Date.now();
  const bar = progress(seeds.length, SingleBar);
  let heapMax = 0;
  let tally;
  try {
    tally = await runPool(file, seeds, {
      workers,
      onChunk: (done, failing, chunk) => {
        heapMax = Math.max(heapMax, chunk.heapUsedBytes);
        bar.update(done, failing);
      },
    });
  } finally {
    bar.stop();
  }
  const wallMs = Date.now() - t0;
  const report = buildReport(ctx, tally, {
    wallMs,
    seedsPerSecond: seeds.length / Math.max(wallMs / 1000, 1e-3),
    workers,
    workerHeapMaxBytes: heapMax,
  });
  emit(report, opts);
  return report.tally.failingRuns > 0 || report.crashed > 0 ? 1 : 0;
}

function readReport(path: string): SweepReport {
  let r: SweepReport;
  try {
    r = JSON.parse(readFileSync(path, 'utf8')) as SweepReport;
  } catch (err) {
    throw new SeedSpecError(
      `${path}: not a sweep result (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (r === null || typeof r !== 'object' || r.format !== SWEEP_FORMAT || r.version !== SWEEP_VERSION)
    throw new SeedSpecError(`${path}: not a ${SWEEP_FORMAT} v${SWEEP_VERSION} file`);
  return r;
}

/**
 * Adds shard results into the result one unsharded sweep gives. Refuses anything that would make the sum
 * wrong: different scenarios, files, seed ranges or code versions, a shard twice, or a shard missing.
 */
export function mergeReports(reports: { path: string; report: SweepReport }[]): SweepReport {
  const first = reports[0];
  if (!first) throw new SeedSpecError('merge: give at least one sweep result');
  const f = first.report;
  for (const { path, report: r } of reports) {
    for (const key of ['scenario', 'file', 'codeVersion'] as const)
      if (r[key] !== f[key])
        throw new SeedSpecError(`merge: ${path} has ${key} '${r[key]}', ${first.path} '${f[key]}'`);
    if (r.seeds.range !== f.seeds.range)
      throw new SeedSpecError(`merge: ${path} covers seeds ${r.seeds.range}, ${first.path} ${f.seeds.range}`);
  }
  const count = f.seeds.shard?.count ?? 1;
  const seen = new Map<number, string>();
  for (const { path, report: r } of reports) {
    const sh = r.seeds.shard ?? { index: 0, count: 1 };
    if (sh.count !== count)
      throw new SeedSpecError(`merge: ${path} is a shard of ${sh.count}, ${first.path} of ${count}`);
    const dup = seen.get(sh.index);
    if (dup) throw new SeedSpecError(`merge: ${path} and ${dup} are both shard ${sh.index}/${count}`);
    seen.set(sh.index, path);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0)
    throw new SeedSpecError(`merge: shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')} missing`);
  const range: SeedRange = parseSeedRange(f.seeds.range);
  const tally = reports.map((x) => x.report.tally).reduce(mergeTallies, emptyTally());
  const ctx: ReportContext = {
    scenario: f.scenario,
    file: f.file,
    range,
    shard: null,
    count: reports.reduce((acc, x) => acc + x.report.seeds.count, 0),
    invariants: f.checked,
    faultKinds: f.faultKinds,
    phases: UPGRADE_PHASES,
  };
  return buildReport(ctx, tally, null);
}

function cmdMerge(files: string[], opts: { json?: boolean; out?: string }): number {
  const merged = mergeReports(files.map((path) => ({ path, report: readReport(path) })));
  if (merged.codeVersion !== CODE_VERSION)
    process.stderr.write(`merge: the shards ran code ${merged.codeVersion}; this is ${CODE_VERSION}\n`);
  emit(merged, opts);
  return merged.tally.failingRuns > 0 || merged.crashed > 0 ? 1 : 0;
}

function fail(err: unknown): number {
  if (err instanceof SeedSpecError) {
    process.stderr.write(`upgradelab: ${err.message}\n`);
    return 2;
  }
  throw err;
}

/** Registers `sweep` and `merge`; `setCode` receives the exit code (the sweep's arrives asynchronously). */
export function registerSweep(program: Command, setCode: (code: number) => void): void {
  program
    .command('sweep')
    .description(
      'run a scenario over many seeds on worker threads; rates, distributions, coverage, failing seeds',
    )
    .argument('<file>', 'scenario YAML file')
    .requiredOption('--seeds <range>', 'seeds FIRST..LAST (e.g. 1..10000) or a count N for 1..N')
    .option('--workers <n>', 'worker threads (default: the available parallelism)')
    .option('--shard <i/n>', 'run only shard I of N (seeds at positions I, I+N, I+2N, ...)')
    .option('--json', 'print the full result as JSON')
    .option('--out <dir>', 'also write the JSON result to DIR/sweep.json (DIR/shard-I-of-N.json for a shard)')
    .action((file: string, opts: SweepOpts) => {
      // The scenario and the options are checked before any thread starts: bad input exits 2 at once.
      const s = loadScenarioFile(file);
      try {
        parseSeedRange(opts.seeds);
        if (opts.shard !== undefined) parseShard(opts.shard);
        parseWorkers(opts.workers);
      } catch (err) {
        setCode(fail(err));
        return;
      }
      cmdSweep(file, opts, s).then(setCode, (err: unknown) => {
        process.stderr.write(
          `upgradelab: the sweep failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
        );
        setCode(3);
      });
    });
  program
    .command('merge')
    .description('combine shard results of one sweep into the result of the whole sweep')
    .argument('<files...>', 'sweep JSON results (from --out or --json)')
    .option('--json', 'print the merged result as JSON')
    .option('--out <dir>', 'also write the merged JSON result to DIR/sweep.json')
    .action((files: string[], opts: { json?: boolean; out?: string }) => {
      try {
        setCode(cmdMerge(files, opts));
      } catch (err) {
        setCode(fail(err));
      }
    });
}

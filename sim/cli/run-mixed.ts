// `upgradelab run FILE` when the scenario attaches nodes: a mixed run (sim/remote/mixed/) on wall-clock
// time, driving the attached agents over gRPC and simulating the rest. It is NOT reproducible: the output
// and the trace header say so, and there is no seed to replay. Exit codes as for a simulated run.
import type { Scenario } from '../scenario/types.js';
import { runMixed, type MixedRunResult } from '../remote/mixed/mixed-run.js';
import { fileSink, nullSink } from '../trace/writer.js';
import { EXIT } from './exit-codes.js';
import { startFailure } from './start-failure.js';
import { printable } from './text.js';
import { UsageError } from './errors.js';

export interface MixedRunFlags {
  out?: string;
  json?: boolean;
  speed?: string;
}

/** The agents' --speed: model ms per wall-clock ms (the agents refuse more than 1000). */
function parseSpeed(raw: string | undefined): number {
  const speed = raw === undefined ? 1 : Number(raw);
  if (!(speed > 0 && speed <= 1_000))
    throw new UsageError(`--speed must be a number in (0, 1000] (the agents' --speed), got ${raw}`);
  return speed;
}

function lines(r: MixedRunResult, file: string, speed: number, out: string | undefined): string[] {
  const m = r.metrics;
  const text = [
    `scenario ${printable(r.scenario)} (${printable(file)}): MIXED RUN on wall-clock time (speed ${speed}) — not deterministic, not reproducible by seed`,
    `ran ${(r.wallMs / 1000).toFixed(1)} s wall (${(m.simulatedMs / 1000).toFixed(1)} s model time), stop: ${r.stop}`,
    `upgrade: ${m.upgradeDurationMs === null ? 'did not finish' : `${(m.upgradeDurationMs / 1000).toFixed(1)} s`}; nodes on target: ${m.nodesOnTarget}; time without quorum: ${(m.timeWithoutQuorumMs / 1000).toFixed(1)} s`,
    `real etcd writes: ${m.writesAttempted} attempted, ${m.writesAcknowledged} acknowledged, ${m.writesLost} lost`,
    ...r.verdicts.map(
      (v) =>
        `  ${v.ok ? 'ok  ' : 'FAIL'} ${v.invariant}${v.ok ? '' : ` (${v.violations}x: ${printable(v.first!.message)})`}`,
    ),
  ];
  if (r.notEvaluated.length > 0) text.push(`  not evaluated in this mixed run: ${r.notEvaluated.join(', ')}`);
  text.push(out ? `trace: ${printable(out)} (deterministic: false)` : 'trace not kept (--out keeps it)');
  text.push(r.violations.length === 0 && r.stop === 'converged' ? 'result: PASS' : 'result: FAIL');
  return text;
}

/** Starts the mixed run; the exit code is set when it ends (main() has returned by then). */
export function runMixedCommand(file: string, scenario: Scenario, flags: MixedRunFlags): number {
  const speed = parseSpeed(flags.speed);
  const sink = flags.out ? fileSink(flags.out) : nullSink();
  process.stdout.write(
    `mixed run: ${scenario.cluster.nodes.filter((n) => n.attach).length} attached node(s), wall-clock time, not reproducible\n`,
  );
  runMixed(scenario, {
    speed,
    sink,
    log: (l) => {
      if (!flags.json) process.stdout.write(`  ${l}\n`);
    },
  })
    .then((r) => {
      const ok = r.violations.length === 0 && r.stop === 'converged';
      if (flags.json)
        process.stdout.write(
          JSON.stringify({ ...r, trace: undefined, deterministic: false, ok }, null, 2) + '\n',
        );
      else process.stdout.write(lines(r, file, speed, flags.out).join('\n') + '\n');
      process.exitCode = ok ? EXIT.ok : EXIT.violation;
    })
    .catch(startFailure('run'));
  return EXIT.ok;
}

// Model versus reality, whole runs (issue 10 item 6): each case runs in the simulator and on one lab of
// three real agents (the cases chain: each starts from the versions the previous one left), and the test
// asserts they agree on final versions, halting, quorum held, writes lost and the ordered membership
// changes. It prints the comparison table. Known exceptions are listed in EXCEPTIONS with their reason.
import { afterAll, describe, expect, it } from 'vitest';
import { labUp } from '../../sim/remote/agent/lab-cluster.js';
import { CLI, realNodeFolder, TEARDOWN_MS } from '../helpers/lab.js';
import { repairTo, runReal } from './whole-runs-real.js';
import { CASES } from './whole-runs-cases.js';
import { runSimulated, sameOutcome, type Outcome } from './whole-runs.js';

const SPEED = 60;
const folder = realNodeFolder('upgradelab-whole-');

afterAll(() => folder.teardown(), TEARDOWN_MS);

/**
 * Disagreements kept with what is known of them (the table prints them as "exception"); each is a lead
 * for a model or agent fix, not a settled answer.
 */
const EXCEPTIONS: Record<string, string> = {
  // None left. 'power-loss-during-upgrade' was one ("real cp2 may miss the 30-min node timeout after the
  // quorum loss"): the agent's bug, not the model's. With cp3 off, cp2's graceful etcd stop (a leader
  // hands over first, F§4) outlasted its reboot, so the new boot's etcd start found the old process alive
  // and did nothing, and cp2 waited in init for the boot timeout. Fixed in the agent (a start waits for a
  // stop in flight, as Talos stops services before it reboots, F§3; test/e2e/agent-etcd-restart.test.ts).
};

function cell(o: Outcome): string {
  const v = [...new Set(Object.values(o.versions))].join('/');
  return `${v}${o.halted ? ' halted' : ''}; quorum ${o.quorumHeld ? 'held' : 'LOST'}; lost ${o.writesLost}; ${o.membership.length} changes`;
}

describe('model versus reality, whole runs', () => {
  it('>= 10 upgrade cases agree between the simulator and three real agents', async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(10);
    const t0 = Date.now();
    const lab = await labUp({
      dir: folder.root,
      controlPlanes: 3,
      // w1 (an agent without etcd) takes part in the worker cases only (whole-runs-cases.ts).
      workers: 1,
      version: 'v1.7.6',
      speed: SPEED,
      cli: CLI,
    });
    const rows: string[] = [];
    const failures: string[] = [];
    for (const c of CASES) {
      // Cases chain: bring the real cluster to this case's starting version if the last one halted part-way
      // (setup, not compared; the simulator starts each case fresh on that version).
      await repairTo(lab, c, SPEED);
      const model = runSimulated(c, SPEED);
      const log: string[] = [];
      let real: Outcome;
      try {
        real = await runReal(lab, c, SPEED, (s) => log.push(s));
      } catch (err) {
        rows.push(`| ${c.name} | ${cell(model)} | error: ${(err as Error).message} | DISAGREE |`);
        failures.push(`${c.name}: ${(err as Error).message}\n  ${log.join('\n  ')}`);
        break;
      }
      const diffs = sameOutcome(model, real);
      const verdict = diffs.length === 0 ? 'agree' : EXCEPTIONS[c.name] ? 'exception' : 'DISAGREE';
      rows.push(
        `| ${c.name} | ${cell(model)} | ${cell(real)} | ${verdict}${diffs.length ? ': ' + diffs.join('; ') : ''} |`,
      );
      if (verdict === 'DISAGREE') failures.push(`${c.name}: ${diffs.join('; ')}\n  ${log.join('\n  ')}`);
    }
    process.stdout.write(
      [
        `whole runs, model vs reality (${CASES.length} cases, ${((Date.now() - t0) / 1000).toFixed(0)} s wall):`,
        '| case | simulator | real agents | verdict |',
        '| --- | --- | --- | --- |',
        ...rows,
        '',
      ].join('\n'),
    );
    expect(failures).toEqual([]);
  }, 1_200_000);
});

// Start-up of a CLI `run` (issue 8 target: start-up <= 1/3 of the run's wall time). Start-up is defined
// as process start (performance.timeOrigin) to the first simulated event, measured inside the CLI: with
// UPGRADELAB_STARTUP_REPORT=1 (set only here) `run` prints it on stderr with the run's own time
// (sim/cli/main.ts). The whole process's wall time is measured here, from spawn to exit, and `validate`
// (start-up and a scenario load, no run) is timed beside it, interleaved, as the earlier yardstick, with
// a bare `node -e 0`: the floor no start-up of a Node CLI goes under. dist/sim/cli/main.js is the bundle
// (rolldown.config.mjs).
import { spawnSync } from 'node:child_process';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface StartupReport {
  startupMs: number;
  runMs: number;
  exitMs: number;
}

export function measureStartup(rounds: number, scenario = 'scenarios/default.yaml'): void {
  const cli = 'dist/sim/cli/main.js';
  const walls: Record<'run' | 'validate' | 'node', number[]> = { run: [], validate: [], node: [] };
  const reports: StartupReport[] = [];
  for (let i = 0; i < rounds + 1; i++) {
    for (const cmd of ['node', 'validate', 'run'] as const) {
      const args = cmd === 'node' ? ['-e', '0'] : [cli, cmd, scenario];
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, {
        encoding: 'utf8',
        env: { ...process.env, UPGRADELAB_STARTUP_REPORT: '1' },
      });
      const wall = performance.now() - t0;
      if (r.status !== 0) throw new Error(`bench: upgradelab ${cmd} exited ${r.status}: ${r.stderr}`);
      if (i === 0) continue; // warm-up: the file cache
      walls[cmd].push(wall);
      if (cmd === 'run') {
        const line = /^upgradelab-startup (.*)$/m.exec(r.stderr);
        if (!line) throw new Error(`bench: run printed no start-up report: ${r.stderr}`);
        reports.push(JSON.parse(line[1]!) as StartupReport);
      }
    }
  }
  const startup = median(reports.map((r) => r.startupMs));
  const run = median(reports.map((r) => r.runMs));
  const wall = median(walls.run);
  const share = median(reports.map((r, i) => r.startupMs / walls.run[i]!));
  console.log('');
  console.log(`CLI run of ${scenario}, median of ${rounds} new processes:`);
  console.log(
    `  start-up (process start to the first simulated event) ${startup.toFixed(0)} ms, the run ${run.toFixed(0)} ms, whole process ${wall.toFixed(0)} ms wall`,
  );
  console.log(
    `  start-up is ${(share * 100).toFixed(0)} % of the wall time (target <= 33 %); validate ${median(walls.validate).toFixed(0)} ms wall; bare node (node -e 0) ${median(walls.node).toFixed(0)} ms wall`,
  );
}

// Start-up failures of the long-running commands (serve, agent), which fail after main() has returned:
// bad input or an address that cannot be bound exits 2 with one line; anything else is a bug and crashes.
import { ScenarioError } from '../scenario/load.js';
import { RemoteConfigError } from '../remote/server.js';

export function startFailure(command: string): (err: unknown) => void {
  return (err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    const operating =
      err instanceof RemoteConfigError ||
      err instanceof ScenarioError ||
      e?.code === 'ENOENT' ||
      /No address added|EADDRINUSE|EACCES/.test(String(e?.message));
    if (!operating) throw err;
    process.stderr.write(`upgradelab ${command}: ${e.message}\n`);
    process.exit(2);
  };
}

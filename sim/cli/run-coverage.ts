// `upgradelab run FILE --coverage`: which states and transitions of the node and etcd-service models this
// one run visited (sim/coverage/). Printed to stderr, so `--json` output on stdout stays one document.
import { ModelCoverage } from '../coverage/model-coverage.js';
import { formatCoverage } from '../coverage/table.js';
import type { SimulateOptions } from '../simulate.js';

export function runCoverage(on: boolean | undefined): {
  options: Pick<SimulateOptions, 'mutateWorld'>;
  print(): void;
} {
  if (!on) return { options: {}, print() {} };
  const coverage = new ModelCoverage();
  return {
    options: { mutateWorld: coverage.hook() },
    print: () => process.stderr.write(formatCoverage(coverage.report())),
  };
}

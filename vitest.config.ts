import { defineConfig } from 'vitest/config';

/**
 * The tests that start real etcd processes and agents (Debian etcd-server) measure wall-clock behaviour:
 * elections, learner promotion, Ready within scaled timeouts. Run beside the rest of the suite on a 2-core
 * machine they starved each other (the whole-run differential timed out waiting for Ready in CI), so they
 * run as a second group, after everything else, one file at a time.
 */
const REAL_ETCD = [
  'test/differential/**/*.test.ts',
  'test/e2e/agent-*.test.ts',
  'test/unit/remote/agent/agent-process.test.ts',
  'test/unit/remote/agent/etcd-member.test.ts',
  'test/unit/remote/etcd/real-cluster.test.ts',
];

const shared = { testTimeout: 60_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'sim',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...REAL_ETCD],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'real-etcd',
          include: REAL_ETCD,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/temporal-server.ts'],
    setupFiles: ['test/setup/network-guard.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: each file may run a Temporal worker and a database of its own.
    maxWorkers: 2,
    reporters: ['default', './test/setup/summary-reporter.ts'],
  },
});

import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../core/temporal/dev-server.js';

/** One real Temporal dev server (in memory, no UI) for the whole run; each test file uses its own task queue. */
export default async function setup(project: TestProject) {
  const server = await startDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined, ui: false });
  project.provide('temporalAddress', server.address);
  return async () => {
    await server.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

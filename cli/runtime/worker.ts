import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Duration } from '@temporalio/common';
import type { Logger } from '../../core/logger.js';
import type { Activities } from '../../activities/index.js';

const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

/** Bundles the workflow code once; tests and multi-worker processes reuse the bundle. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
}

export async function createWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  bundle?: WorkflowBundleWithSourceMap;
  logger?: Logger;
  /** How long in-flight activities may finish on shutdown before they are cancelled and retried elsewhere. */
  shutdownGraceTime?: Duration;
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    shutdownGraceTime: opts.shutdownGraceTime ?? '10s',
    shutdownForceTime: '30s',
    ...(opts.bundle ? { workflowBundle: opts.bundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}

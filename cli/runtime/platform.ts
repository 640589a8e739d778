import type { FastifyInstance } from 'fastify';
import type { Worker } from '@temporalio/worker';
import type { Duration } from '@temporalio/common';
import { createActivities } from '../../activities/index.js';
import { webSender } from '../../bots/web/sender.js';
import { buildGateway } from '../../bots/gateway.js';
import { createDispatcher } from '../../bots/dispatch.js';
import type { ChannelSenders } from '../../bots/channel.js';
import type { Config } from '../../core/config.js';
import { describeDatabase } from '../../core/config.js';
import { openDatabase } from '../../core/db/open.js';
import type { Logger } from '../../core/logger.js';
import { createStore, type Store } from '../../core/store/index.js';
import type { Answerer } from '../../knowledge/answerer.js';
import { createDefaultAnswerer } from '../../knowledge/index.js';
import { openTemporal, type TemporalHandle } from './temporal.js';
import { bundleWorkflows, createWorker } from './worker.js';

export type Part = 'worker' | 'gateway';

export interface PlatformOptions {
  only?: Part;
  /** Overrides for tests: a different answerer or extra channel senders. */
  answerer?: Answerer;
  senders?: ChannelSenders;
  workflowBundle?: Awaited<ReturnType<typeof bundleWorkflows>>;
  shutdownGraceTime?: Duration;
}

export interface Platform {
  store: Store;
  temporal: TemporalHandle;
  gateway?: FastifyInstance;
  gatewayUrl?: string;
  worker?: Worker;
  /** Stops the worker only (fault-injection in tests); `startWorker` brings it back. */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

/** Explains combinations that cannot work before anything starts. */
export function checkPlatformOptions(config: Config, only?: Part): string[] {
  const problems: string[] = [];
  if (only && !config.DATABASE_URL) problems.push(`--only ${only} needs DATABASE_URL: the embedded PGlite database belongs to one process`);
  if (only && !config.TEMPORAL_ADDRESS) problems.push(`--only ${only} needs TEMPORAL_ADDRESS: run the parts against one shared Temporal server`);
  return problems;
}

/** Starts the database, Temporal (embedded or remote), the worker and the gateway, as asked. */
export async function startPlatform(config: Config, logger: Logger, opts: PlatformOptions = {}): Promise<Platform> {
  const db = await openDatabase(config);
  const store = createStore(db);
  const temporal = await openTemporal(config, logger).catch(async (err) => {
    await db.close();
    throw err;
  });
  const runWorker = opts.only !== 'gateway';
  const runGateway = opts.only !== 'worker';
  const senders: ChannelSenders = { web: webSender, ...opts.senders };
  const answerer = opts.answerer ?? (await createDefaultAnswerer(config));
  const activities = createActivities({ store, answerer, senders });
  const bundle = runWorker ? (opts.workflowBundle ?? (await bundleWorkflows())) : undefined;

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  const startWorker = async () => {
    if (!bundle) return;
    worker = await createWorker({
      connection: await temporal.nativeConnection(),
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities,
      bundle,
      logger,
      shutdownGraceTime: opts.shutdownGraceTime,
    });
    const w = worker;
    workerRun = w.run().catch((err) => logger.error({ err }, 'worker stopped with an error'));
  };
  const stopWorker = async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await workerRun;
    worker = undefined;
  };
  if (runWorker) await startWorker();

  let gateway: FastifyInstance | undefined;
  let gatewayUrl: string | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  if (runGateway) {
    const dispatcher = createDispatcher({ store, workflows: temporal.client.workflow, config, logger });
    gateway = await buildGateway({
      config,
      logger,
      store,
      dispatcher,
      temporalHealthy: async () => {
        await temporal.connection.healthService.check({});
        return true;
      },
    });
    await gateway.listen({ host: config.HOST, port: config.PORT });
    const addr = gateway.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
    gatewayUrl = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
    // Messages stored just before a crash are handed to their workflows on the next start, then periodically.
    void dispatcher.redispatchStranded(0).catch((err) => logger.warn({ err }, 'startup redispatch failed'));
    sweeper = setInterval(() => void dispatcher.redispatchStranded().catch(() => undefined), 15_000);
    sweeper.unref();
  }

  logger.info(
    {
      gateway: gatewayUrl ?? '(not started)',
      worker: runWorker ? `task queue ${config.TEMPORAL_TASK_QUEUE}` : '(not started)',
      temporal: temporal.address,
      temporalUi: temporal.uiUrl ?? '(none)',
      database: describeDatabase(config),
    },
    'kefu is running',
  );

  return {
    store,
    temporal,
    gateway,
    gatewayUrl,
    get worker() {
      return worker;
    },
    stopWorker,
    startWorker,
    async stop() {
      if (sweeper) clearInterval(sweeper);
      await gateway?.close();
      await stopWorker();
      await temporal.close();
      await db.close();
    },
  };
}

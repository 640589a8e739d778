import type { FastifyInstance } from 'fastify';
import type { Worker } from '@temporalio/worker';
import type { Duration } from '@temporalio/common';
import { createActivities } from '../../activities/index.js';
import { createQaDeps } from '../../activities/qa/deps.js';
import { ensureQaReportSchedule } from '../../activities/qa/schedule.js';
import { createQaService, type QaService } from '../../activities/qa/service.js';
import { webSender } from '../../bots/web/sender.js';
import { buildGateway } from '../../bots/gateway.js';
import { createDispatcher } from '../../bots/dispatch.js';
import type { ChannelSenders } from '../../bots/channel.js';
import { buildChannels, type ChannelOverrides, type ChannelSet } from '../../bots/channels.js';
import { registerRiskRoutes } from '../../bots/risk/routes.js';
import { registerQaRoutes } from '../../bots/qa/routes.js';
import { buildRiskServices } from '../../bots/risk/runtime.js';
import type { Config } from '../../core/config.js';
import { describeDatabase } from '../../core/config.js';
import { openDatabase } from '../../core/db/open.js';
import type { Logger } from '../../core/logger.js';
import { createStore, type Store } from '../../core/store/index.js';
import type { Answerer } from '../../knowledge/answerer.js';
import { createDefaultAnswerer, seedDemoKnowledge } from '../../knowledge/index.js';
import { loadIntentRouting } from '../../knowledge/routing/setup.js';
import { parseQueues } from '../../bots/handoff/settings.js';
import { ROUTABLE_WORKFLOWS } from '../../workflows/routed.js';
import { outreachInboundHook } from '../../engagement/campaigns/inbound.js';
import { ensureEngagementSchedules } from '../../engagement/schedules.js';
import { loadEngagement } from '../../engagement/setup.js';
import { openTemporal, type TemporalHandle } from './temporal.js';
import { createConsoleAccess, registerConsole } from '../../bots/console/index.js';
import { closeConversationWorkflow } from './close-conversation.js';
import { startMetricsServer } from './metrics-server.js';
import { bundleWorkflows, createWorker } from './worker.js';
import { createAgentDeskSetup, type AgentDeskSetup } from '../../bots/desks.js';
import { registerRiskActions } from '../../bots/slack/risk-actions.js';
import { registerQaSlackActions } from '../../activities/qa/slack-actions.js';
import { createSummarizer } from '../../analysis/summary/index.js';
import { createChatModel } from '../../knowledge/answer/llm.js';

export type Part = 'worker' | 'gateway';

export interface PlatformOptions {
  only?: Part;
  /** Overrides for tests: a different answerer or extra channel senders. */
  answerer?: Answerer;
  senders?: ChannelSenders;
  /** Replacements inside the Teams and WeChat channels (a mock WeChat puppet, a local Bot Framework auth setup). */
  channels?: ChannelOverrides;
  workflowBundle?: Awaited<ReturnType<typeof bundleWorkflows>>;
  shutdownGraceTime?: Duration;
}

export interface Platform {
  store: Store;
  temporal: TemporalHandle;
  gateway?: FastifyInstance;
  gatewayUrl?: string;
  worker?: Worker;
  /** Every channel's sender as the deliver activity uses them, and the optional channels (Teams, WeChat). */
  senders: ChannelSenders;
  channels: ChannelSet;
  /** QA disputes and decisions, for the Slack app's buttons (`registerQaSlackActions`) and the console. */
  qa: QaService;
  /** Where agents take handoffs: Slack or the local inbox, and the commands their actions go through. */
  agentDesk: AgentDeskSetup;
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
  // Channel configuration mistakes (an unknown WeChat puppet) surface before anything else starts.
  const channels = await Promise.resolve()
    .then(() => buildChannels(config, logger, store, opts.channels))
    .catch(async (err) => {
      await db.close();
      throw err;
    });
  // Flag rules, outreach rules and campaign files are checked here: a non-compliant campaign stops the start.
  const engagement = await Promise.resolve()
    .then(() => loadEngagement(config))
    .catch(async (err) => {
      await db.close();
      throw err;
    });
  const temporal = await openTemporal(config, logger).catch(async (err) => {
    await db.close();
    throw err;
  });
  const runWorker = opts.only !== 'gateway';
  const runGateway = opts.only !== 'worker';
  const senders: ChannelSenders = { web: webSender, ...channels.senders, ...opts.senders };
  // Knowledge base: the demo articles on first start (incremental, so later starts only compare content hashes).
  if (!opts.answerer && config.KEFU_SEED_DEMO) await seedDemoKnowledge(config, { db, logger });
  const answerer = opts.answerer ?? (await createDefaultAnswerer(config, { db, logger }));
  // Intent routing is the worker's: its table may only name intents the model knows, HANDOFF_QUEUES and routable
  // workflows, else the start stops here naming the line to fix.
  const router = runWorker
    ? await loadIntentRouting(config, { queues: parseQueues(config).map((q) => q.name), workflows: ROUTABLE_WORKFLOWS, logger }).catch(async (err) => {
        await temporal.close();
        await db.close();
        throw err;
      })
    : undefined;
  // Risk rules are validated here, so a broken rules file stops the start with the path of the mistake.
  const risk = await Promise.resolve()
    .then(() => buildRiskServices(config, { store, workflows: temporal.client.workflow, logger }))
    .catch(async (err) => {
      await temporal.close();
      await db.close();
      throw err;
    });
  // The QA scorecard is validated here too: a broken config/qa-scorecard.yaml stops the start naming the mistake.
  const qaDeps = await createQaDeps(config, store).catch(async (err) => {
    await temporal.close();
    await db.close();
    throw err;
  });
  const qa = createQaService({ store, sink: qaDeps.sink, publicUrl: qaDeps.publicUrl, leads: qaDeps.leads, logger });
  // The agent desk for handoffs (Slack when configured, else the local inbox); other features' Slack buttons join its app.
  const agentDesk = await Promise.resolve()
    .then(() => createAgentDeskSetup(config, {
      store,
      logger,
      workflows: temporal.client.workflow,
      slackListeners: [(app) => registerRiskActions(app, { escalations: risk.escalations, logger }), (app) => registerQaSlackActions(app, qa)],
    }))
    .catch(async (err) => {
      await temporal.close();
      await db.close();
      throw err;
    });
  const summarizer = createSummarizer({ model: createChatModel(config), timeoutMs: config.LLM_TIMEOUT, logger });
  const activities = createActivities({ store, answerer, router, senders, risk: risk.services, engagement, qa: qaDeps, desk: agentDesk.desk, summarizer });
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
  if (runWorker && config.KEFU_SCHEDULES) {
    // Reporting is not worth failing the start for: the next start tries again.
    await ensureQaReportSchedule(temporal.client, config).catch((err) => logger.warn({ err }, 'QA report schedule not created'));
  }
  if (runWorker && config.KEFU_SCHEDULES) {
    await ensureEngagementSchedules(temporal.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, engagement, logger })
      .catch((err) => logger.warn({ err }, 'could not create the campaign/insights schedules; campaigns can still be run by hand'));
  }

  let gateway: FastifyInstance | undefined;
  let gatewayUrl: string | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  const dispatcher = createDispatcher({ store, workflows: temporal.client.workflow, config, logger, onAccepted: outreachInboundHook({ store, settings: engagement.outreach }) });
  if (runGateway) {
    // One sign-in and one permissions table (bots/console/permissions.ts) for the console, the inbox, QA and risk.
    const access = createConsoleAccess({ config, store, logger });
    gateway = await buildGateway({
      config,
      logger,
      store,
      dispatcher,
      temporalHealthy: async () => {
        await temporal.connection.healthService.check({});
        return true;
      },
      widgetOrigins: config.WIDGET_ORIGINS,
      metrics: { token: config.METRICS_TOKEN },
      routes: [(app) => channels.registerRoutes(app, { dispatcher }),
        (app) => registerConsole(app, { config, store, access, temporalUiUrl: temporal.uiUrl, closeConversation: (key, reason) => closeConversationWorkflow(temporal.client, key, reason) }), (app) => registerRiskRoutes(app, { store, escalations: risk.escalations, access }),
        (app) => registerQaRoutes(app, { service: qa, store, access }), (app) => agentDesk.registerRoutes(app, access)],
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
  await channels.start({ dispatcher, worker: runWorker });
  if (runGateway) await agentDesk.start();
  // A worker without a gateway still needs a scrape target: reply latency and deliveries are recorded where it runs.
  const metricsServer = runWorker && !runGateway && config.METRICS_PORT > 0
    ? await startMetricsServer({ host: config.HOST, port: config.METRICS_PORT, token: config.METRICS_TOKEN, logger })
    : undefined;

  logger.info(
    {
      gateway: gatewayUrl ?? '(not started)',
      worker: runWorker ? `task queue ${config.TEMPORAL_TASK_QUEUE}` : '(not started)',
      temporal: temporal.address,
      temporalUi: temporal.uiUrl ?? '(none)',
      database: describeDatabase(config),
      channels: channels.describe(),
      agentDesk: agentDesk.describe(),
    },
    'kefu is running',
  );

  return {
    store,
    temporal,
    gateway,
    gatewayUrl,
    senders,
    channels,
    qa,
    agentDesk,
    get worker() {
      return worker;
    },
    stopWorker,
    startWorker,
    async stop() {
      if (sweeper) clearInterval(sweeper);
      await metricsServer?.close();
      await channels.stop();
      await agentDesk.stop();
      await gateway?.close();
      await stopWorker();
      await temporal.close();
      await db.close();
    },
  };
}
